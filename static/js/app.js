// Small behaviours the pages share; no inline scripts (the CSP forbids them).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.classList.contains("autosubmit")) el.form.requestSubmit();
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.toggle");
  if (!button) return;
  const kids = button.parentElement.querySelector(":scope > .kids");
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  button.textContent = open ? "▾" : "▸";
  if (kids) kids.hidden = !open;
});
