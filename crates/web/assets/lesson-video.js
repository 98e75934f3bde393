// A lesson's video marks the lesson done when it plays to the end: the same form as the
// "ดูจบแล้ว" button (which works without this script) is sent.
(function () {
  var form = document.querySelector(".lesson-done-form");
  if (!form) return;
  document.querySelectorAll("video[data-lesson-video]").forEach(function (v) {
    v.addEventListener("ended", function () { form.submit(); }, { once: true });
  });
})();
