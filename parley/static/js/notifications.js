// Keep the header bell's unread count current without a reload: ask the API for the number
// every few seconds while the page is visible. Without JavaScript the number shown at page
// load stays, and the bell is still a link to the notifications page.
(function () {
  "use strict";
  const bell = document.querySelector("[data-bell]");
  if (!bell) return;
  const badge = bell.querySelector("[data-bell-count]");
  const number = bell.querySelector("[data-bell-number]");
  const every = Math.max(2, parseInt(bell.dataset.poll, 10) || 15) * 1000;

  function show(count) {
    number.textContent = String(count);
    badge.hidden = count === 0;
  }

  async function refresh() {
    if (document.hidden) return;
    try {
      const response = await fetch(bell.dataset.countUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) show((await response.json()).unread);
    } catch (error) {
      // Offline for a moment: the next tick tries again.
    }
  }

  setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
})();
