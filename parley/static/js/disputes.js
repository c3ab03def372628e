// Dispute page: keep the deadline countdown live and confirm irreversible steps.
// The page is complete without this file: the server already wrote the time left.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "ru";
  var units = lang === "ru"
    ? { d: "д", h: "ч", m: "мин", left: "осталось ", up: "срок истёк" }
    : { d: "d", h: "h", m: "min", left: "", up: "time is up", suffix: " left" };

  function render(el) {
    var ms = new Date(el.getAttribute("data-countdown-left")).getTime() - Date.now();
    if (ms <= 0) { el.textContent = units.up; return; }
    var minutes = Math.floor(ms / 60000);
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    var parts = [];
    if (d) parts.push(d + " " + units.d);
    if (d || h) parts.push(h + " " + units.h);
    parts.push(m + " " + units.m);
    el.textContent = units.left + parts.join(" ") + (units.suffix || "");
  }

  var timers = document.querySelectorAll("[data-countdown-left]");
  timers.forEach(render);
  if (timers.length) {
    setInterval(function () { timers.forEach(render); }, 30000);
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
