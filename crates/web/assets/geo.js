// Place picker (templates/geo/place_picker.html) with JavaScript on: the district and
// subdistrict lists follow the selects without a round trip, and a search box fills all three.
// Without JavaScript the "เลือก" buttons post the form and the server lists the next level.
(function () {
  "use strict";
  function fill(select, rows, placeholder) {
    select.length = 0;
    select.add(new Option(placeholder, ""));
    rows.forEach(function (r) { select.add(new Option(r.name, r.code)); });
  }
  function load(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.json() : [];
    });
  }
  function setup(box) {
    var prov = box.querySelector('[data-level="province"]');
    var dist = box.querySelector('[data-level="district"]');
    var sub = box.querySelector('[data-level="subdistrict"]');
    if (!prov || !dist || !sub || !window.fetch) return;
    box.querySelectorAll("[data-pick]").forEach(function (b) { b.hidden = true; });
    function districts(code) {
      fill(sub, [], "— เลือกอำเภอก่อน —");
      if (!code) { fill(dist, [], "— เลือกจังหวัดก่อน —"); return Promise.resolve(); }
      return load("/geo/districts?province=" + encodeURIComponent(code)).then(function (rows) {
        fill(dist, rows, "— เลือกอำเภอ —");
      });
    }
    function subdistricts(code) {
      if (!code) { fill(sub, [], "— เลือกอำเภอก่อน —"); return Promise.resolve(); }
      return load("/geo/subdistricts?district=" + encodeURIComponent(code)).then(function (rows) {
        fill(sub, rows, "— เลือกตำบล —");
      });
    }
    prov.addEventListener("change", function () { districts(prov.value); });
    dist.addEventListener("change", function () { subdistricts(dist.value); });
    var search = box.querySelector("[data-place-search]");
    if (!search) return;
    search.hidden = false;
    var input = search.querySelector("input");
    var hits = search.querySelector("[data-place-hits]");
    var timer = null;
    function choose(h) {
      prov.value = h.province;
      districts(h.province).then(function () {
        if (!h.district) return;
        dist.value = h.district;
        return subdistricts(h.district).then(function () {
          if (h.subdistrict) sub.value = h.subdistrict;
        });
      });
      hits.textContent = "";
      input.value = h.label;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { hits.textContent = ""; return; }
      timer = setTimeout(function () {
        load("/geo/search?q=" + encodeURIComponent(q)).then(function (rows) {
          hits.textContent = "";
          rows.forEach(function (h) {
            var li = document.createElement("li");
            var b = document.createElement("button");
            b.type = "button";
            b.className = "link";
            b.textContent = h.label;
            b.addEventListener("click", function () { choose(h); });
            li.appendChild(b);
            hits.appendChild(li);
          });
        });
      }, 250);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") e.preventDefault();
    });
  }
  document.querySelectorAll("[data-place]").forEach(setup);
})();
