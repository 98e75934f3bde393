// Resumable uploads (tus 1.0) for people on weak mobile connections. Without this script the
// form still works as a plain upload; with it, files go in 2 MB pieces, show progress, and
// carry on from where they stopped when the connection drops or the page is reopened.
// The item files page has one such form (#upload-form, for an item); a contest entry's page
// has one per required document (form[data-tus]: its own endpoint, requirement and page to
// return to).
(function () {
  "use strict";
  if (!window.XMLHttpRequest || !window.Blob || !Blob.prototype.slice) return;
  Array.prototype.forEach.call(document.querySelectorAll("form#upload-form, form[data-tus]"), wire);

  function wire(form) {
  var input = form.querySelector("input[type=file]");
  var status = form.querySelector(".upload-status") || document.getElementById("upload-status");
  var item = form.dataset.item, csrf = form.dataset.csrf || "", limit = Number(form.dataset.limit);
  var endpoint = form.dataset.tus || "/files/tus/";
  var meta = item ? ",item_id " + b64(String(item)) : ",requirement " + b64(form.dataset.requirement || "");
  var scope = item || endpoint + (form.dataset.requirement || "");
  var CHUNK = 2 * 1024 * 1024, WAITS = [1000, 3000, 5000, 10000, 20000];

  function th(n) { return n.toLocaleString("th-TH"); }
  function mb(n) { return (n / 1048576).toFixed(1) + " MB"; }
  function b64(s) { return btoa(unescape(encodeURIComponent(s))); }
  function say(html) { status.innerHTML = html; }
  function key(f) { return "khlang-tus:" + scope + ":" + f.name + ":" + f.size + ":" + f.lastModified; }

  function request(method, url, headers, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      x.open(method, url);
      x.setRequestHeader("Tus-Resumable", "1.0.0");
      if (csrf) x.setRequestHeader("X-CSRF-Token", csrf);
      Object.keys(headers).forEach(function (h) { x.setRequestHeader(h, headers[h]); });
      if (onProgress && x.upload) x.upload.onprogress = function (e) { onProgress(e.loaded); };
      x.onload = function () { resolve(x); };
      x.onerror = x.ontimeout = function () { reject(new Error("network")); };
      x.send(body || null);
    });
  }

  function problem(x) {
    try { return JSON.parse(x.responseText).title; } catch (e) { return "อัปโหลดไม่สำเร็จ (รหัส " + x.status + ")"; }
  }

  async function create(f) {
    var x = await request("POST", endpoint, {
      "Upload-Length": String(f.size),
      "Upload-Metadata": "filename " + b64(f.name) + meta
    });
    if (x.status !== 201) throw new Error(problem(x));
    var url = x.getResponseHeader("Location");
    localStorage.setItem(key(f), url);
    return url;
  }

  async function offsetOf(url) {
    var x = await request("HEAD", url, {});
    if (x.status !== 200) return null;
    return Number(x.getResponseHeader("Upload-Offset"));
  }

  async function send(f, index, total) {
    if (f.size > limit) throw new Error(f.name + ": ไฟล์ใหญ่เกิน " + mb(limit) + " — ลองย่อวิดีโอหรือแบ่งเป็นหลายไฟล์");
    var url = localStorage.getItem(key(f)), offset = null, tries = 0;
    if (url) offset = await offsetOf(url).catch(function () { return null; });
    if (offset === null) { url = await create(f); offset = 0; }
    while (offset < f.size) {
      var end = Math.min(offset + CHUNK, f.size), start = offset;
      var bar = function (loaded) {
        var done = start + loaded, pct = f.size ? Math.floor(done * 100 / f.size) : 100;
        say("<p>ไฟล์ที่ " + th(index) + " จาก " + th(total) + ": " + f.name + "</p>" +
          "<progress max=\"100\" value=\"" + pct + "\"></progress> <span>" + mb(done) + " จาก " + mb(f.size) + " (" + pct + "%)</span>");
      };
      try {
        var x = await request("PATCH", url, { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) },
          f.slice(offset, end), bar);
        if (x.status === 204) { offset = Number(x.getResponseHeader("Upload-Offset")); tries = 0; continue; }
        if (x.status === 409) { offset = await offsetOf(url); continue; }
        if (x.status === 404) { localStorage.removeItem(key(f)); url = await create(f); offset = 0; continue; }
        localStorage.removeItem(key(f));
        throw new Error(problem(x));
      } catch (e) {
        if (e.message !== "network") throw e;
        var wait = WAITS[Math.min(tries, WAITS.length - 1)]; tries++;
        say("<p>การเชื่อมต่อขาดหาย กำลังส่งต่อจากเดิม… (ส่งแล้ว " + mb(offset) + " จาก " + mb(f.size) + ")</p>");
        await new Promise(function (r) { setTimeout(r, wait); });
        var o = await offsetOf(url).catch(function () { return null; });
        if (o !== null) offset = o;
      }
    }
    localStorage.removeItem(key(f));
  }

  form.addEventListener("submit", async function (ev) {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) return;
    ev.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      for (var i = 0; i < files.length; i++) await send(files[i], i + 1, files.length);
      say("<p>อัปโหลดสำเร็จ " + th(files.length) + " ไฟล์</p>");
      var wizard = /[?&]wizard=1/.test(location.search) ? "wizard=1&" : "";
      location.href = form.dataset.done || "/items/" + item + "/files?" + wizard + "done=uploaded";
    } catch (e) {
      say("<p class=\"field-error\">" + e.message.replace(/[<>&]/g, "") + "</p>");
      button.disabled = false;
    }
  });
  }
})();
