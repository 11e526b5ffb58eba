// 送温暖: the receipt list's print button, the "tick all" box of the hand-out form, and the
// hand-out form carrying the ticked rows (no inline scripts: CSP).
(function () {
  "use strict";
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-print]");
    if (button) window.print();
  });
  document.addEventListener("change", (event) => {
    const all = event.target.closest("[data-check-all]");
    if (!all) return;
    document.querySelectorAll("input[name='targets'][form='" + all.dataset.checkAll + "']").forEach((box) => {
      if (!box.disabled) box.checked = all.checked;
    });
  });
})();
