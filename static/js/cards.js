// The member's dynamic QR code. The server sends the codes of this 30-second step and the
// next 40, already drawn; the phone shows the one for its current step (corrected by the
// clock difference measured when they were fetched), counts down, keeps them in
// localStorage and goes on showing them offline until they run out.
(function () {
  "use strict";
  const box = document.getElementById("member-qr");
  if (!box) return;
  const url = box.dataset.codesUrl;
  const key = "gonghui.qr." + box.dataset.member;
  const stepMs = Number(box.dataset.stepSeconds || "30") * 1000;
  const image = document.getElementById("qr-image");
  const text = document.getElementById("qr-text");
  const countdown = document.getElementById("qr-countdown");
  const offline = document.getElementById("qr-offline");
  const REFILL_BELOW = 30; // codes left before asking for fresh ones
  const RETRY_MS = 15000;
  let store = load();
  let fetching = false;
  let lastTry = 0;

  function load() {
    try {
      const data = JSON.parse(window.localStorage.getItem(key) || "null");
      return data && Array.isArray(data.codes) ? data : null;
    } catch (error) {
      return null;
    }
  }

  function save(data) {
    try {
      window.localStorage.setItem(key, JSON.stringify(data));
    } catch (error) {
      // Storage full or disabled: the codes still live in memory for this page.
    }
  }

  function now() {
    return Date.now() + (store ? store.offset : 0);
  }

  function spaced(code) {
    return code.slice(0, 8) + " " + code.slice(8, 12) + " " + code.slice(12);
  }

  function refresh() {
    if (fetching || navigator.onLine === false) return;
    if (Date.now() - lastTry < RETRY_MS) return;
    fetching = true;
    lastTry = Date.now();
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then((data) => {
        store = { offset: data.now - Date.now(), codes: data.codes };
        save(store);
        lastTry = 0;
        render();
      })
      .catch(() => {
        // Offline or signed out: keep showing what is cached.
      })
      .finally(() => {
        fetching = false;
      });
  }

  function render() {
    const step = Math.floor(now() / stepMs);
    const codes = store ? store.codes.filter((c) => c.step >= step) : [];
    const entry = codes.length && codes[0].step === step ? codes[0] : null;
    if (store && codes.length !== store.codes.length) {
      store.codes = codes; // drop the spent ones
      save(store);
    }
    if (!entry) {
      if (store || Number(image.dataset.step) !== step) {
        image.hidden = true;
        text.hidden = true;
        countdown.hidden = true;
        offline.hidden = false;
      }
      refresh();
      return;
    }
    if (image.dataset.step !== String(step)) {
      image.src = entry.svg;
      image.dataset.step = String(step);
      text.textContent = spaced(entry.code);
      text.dataset.code = entry.code;
    }
    image.hidden = false;
    text.hidden = false;
    countdown.hidden = false;
    offline.hidden = true;
    const left = Math.max(1, Math.ceil(((step + 1) * stepMs - now()) / 1000));
    countdown.textContent = box.dataset.countdown.replace("%s", String(left));
    if (codes.length < REFILL_BELOW) refresh();
  }

  text.textContent = spaced(text.dataset.code || text.textContent.trim());
  render();
  window.setInterval(render, 1000);
  window.addEventListener("online", () => {
    lastTry = 0;
    refresh();
  });
})();
