// Saves the wizard's section every 30 s while something changed (the form works without it).
(function () {
  var form = document.getElementById('entry-form');
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var status = document.getElementById('autosave-status');
  var dirty = false;
  form.addEventListener('input', function () { dirty = true; });
  form.addEventListener('change', function () { dirty = true; });
  form.addEventListener('submit', function () { dirty = false; });
  function save() {
    if (!dirty) return;
    dirty = false;
    var body = new URLSearchParams();
    new FormData(form).forEach(function (v, k) {
      if (typeof v === 'string' && k !== 'go') body.append(k, v);
    });
    body.append('autosave', '1');
    fetch(form.getAttribute('action'), {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.ok) {
          var d = new Date();
          status.textContent = 'บันทึกฉบับร่างอัตโนมัติแล้ว เวลา ' +
            d.getHours() + ':' + String(d.getMinutes()).padStart(2, '0') + ' น.';
        } else if (r.status === 422 && j.errors) {
          status.textContent = 'ยังบันทึกอัตโนมัติไม่ได้: ' +
            j.errors.map(function (e) { return e.message; }).join(' · ');
        } else {
          dirty = true;
          status.textContent = 'ยังบันทึกอัตโนมัติไม่ได้ จะลองใหม่อีกครั้ง';
        }
      });
    }).catch(function () {
      dirty = true;
      status.textContent = 'การเชื่อมต่อขาดหาย จะบันทึกให้อีกครั้งเมื่อกลับมาออนไลน์';
    });
  }
  setInterval(save, 30000);
})();
