// Import progress: sends the workbook with XMLHttpRequest to show how much has been sent,
// then that the rows are being checked and saved; the answer page replaces this one.
// Without JavaScript the form posts normally and the browser shows its own progress.
(function () {
  if (!window.FormData || !window.XMLHttpRequest) return;
  function mb(n) { return (n / 1048576).toFixed(1) + " MB"; }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-progress]"), watch);
  function watch(form) {
  var status = form.querySelector(".import-progress");
  var button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    status.hidden = false;
    button.disabled = true;
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        status.textContent = "กำลังส่งไฟล์ " + Math.round(e.loaded * 100 / e.total) + "% (" + mb(e.loaded) + " จาก " + mb(e.total) + ")";
      }
    };
    xhr.upload.onload = function () {
      status.textContent = form.dataset.checking || "ส่งไฟล์ครบแล้ว กำลังตรวจทุกแถวและบันทึก กรุณารอสักครู่…";
    };
    xhr.onload = function () {
      if (xhr.responseURL && xhr.responseURL !== location.href) history.replaceState(null, "", xhr.responseURL);
      document.open();
      document.write(xhr.responseText);
      document.close();
      // The new page starts at its top, where its problems or results are.
      window.scrollTo(0, 0);
    };
    xhr.onerror = function () {
      status.textContent = "การเชื่อมต่อขาดหาย ยังไม่ได้บันทึกรายการใด กรุณาลองนำเข้าใหม่";
      button.disabled = false;
    };
    xhr.send(new FormData(form));
  });
  }
})();
