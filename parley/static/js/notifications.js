// Keep the header bell's unread count current without a reload. While chat.js has its socket
// open, the server's frames (docs/websocket.md) carry the count; without a socket, ask the
// API for the number every few seconds while the page is visible. Without JavaScript the
// number shown at page load stays, and the bell is still a link.
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

  function socketOpen() {
    return document.documentElement.dataset.chatConnected === "true";
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

  document.addEventListener("parley:frame", function (event) {
    const frame = event.detail;
    // The bell comes alone, or with the new message that rang it.
    const rung = frame.type === "notifications" ? frame : frame.notifications;
    if (rung) show(rung.unread);
    // A (re)connected socket may have missed frames while it was down: fetch the count once.
    if (frame.type === "hello") refresh();
  });
  setInterval(function () {
    if (!socketOpen()) refresh();
  }, every);
  document.addEventListener("visibilitychange", function () {
    if (!socketOpen()) refresh();
  });
})();
