// Live countdowns on every clock, and an optional sound and desktop notice for new urgent
// tickets arriving in a polled queue. No build step; htmx is served by the app.
(function () {
  "use strict";
  const zh = document.documentElement.lang !== "en";
  const T = zh
    ? { left: "剩", late: "超时", paused: "已暂停", on: "提醒：开", off: "提醒：关", urgent: "新的紧急工单" }
    : { left: "left", late: "late", paused: "paused", on: "Alerts: on", off: "Alerts: off", urgent: "New urgent ticket" };

  function span(ms) {
    const s = Math.floor(Math.abs(ms) / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const mm = String(m).padStart(2, "0"), ss = String(sec).padStart(2, "0");
    return h > 47 ? Math.floor(h / 24) + (zh ? "天" : "d") : (h ? h + ":" + mm + ":" + ss : mm + ":" + ss);
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll(".clock[data-due]").forEach(function (el) {
      if (el.dataset.paused) return;
      const due = Date.parse(el.dataset.due), warn = Date.parse(el.dataset.warn);
      const left = el.querySelector(".left");
      el.classList.toggle("late", now >= due);
      el.classList.toggle("warn", now >= warn && now < due);
      if (left) left.textContent = now >= due ? T.late + " " + span(now - due) : T.left + " " + span(due - now);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);

  const seen = new Set();
  function urgentRows() {
    return Array.from(document.querySelectorAll("#rows tr[data-urgent='1']"));
  }
  document.addEventListener("DOMContentLoaded", function () {
    urgentRows().forEach(function (r) { seen.add(r.dataset.number); });
    const toggle = document.getElementById("alerts-toggle");
    if (!toggle) return;
    const show = function () { toggle.textContent = localStorage.getItem("console.alerts") === "1" ? T.on : T.off; };
    show();
    toggle.addEventListener("click", function () {
      const on = localStorage.getItem("console.alerts") !== "1";
      localStorage.setItem("console.alerts", on ? "1" : "0");
      if (on && "Notification" in window && Notification.permission === "default") Notification.requestPermission();
      show();
    });
  });

  function beep() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no audio here */ }
  }

  document.addEventListener("htmx:afterSwap", function () {
    tick();
    const fresh = urgentRows().filter(function (r) { return !seen.has(r.dataset.number); });
    fresh.forEach(function (r) { seen.add(r.dataset.number); });
    if (!fresh.length) return;
    document.body.dataset.lastUrgent = fresh[0].dataset.number;
    if (localStorage.getItem("console.alerts") !== "1") return;
    beep();
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification(T.urgent, { body: fresh.map(function (r) { return r.dataset.number; }).join(" ") });
    }
  });
})();

// A person list follows the unit chosen in the same form: only that unit's people are offered
// (select[data-follows] names the unit field; each option carries data-unit). The service
// refuses a person of another unit anyway.
(function () {
  "use strict";
  function follow(person) {
    const unitName = person.name.replace(/[^-]*$/, person.dataset.follows);
    const unit = person.form && person.form.querySelector("select[name='" + unitName + "']");
    if (!unit) return;
    const apply = function () {
      Array.from(person.options).forEach(function (o) {
        if (!o.dataset.unit) return;  // the empty choice: automatic by the roster
        const other = o.dataset.unit !== unit.value;
        o.hidden = other;
        o.disabled = other;
        if (other && o.selected) person.value = "";
      });
    };
    unit.addEventListener("change", apply);
    apply();
  }
  function bind(root) {
    root.querySelectorAll("select[data-follows]").forEach(function (s) {
      if (s.dataset.following) return;
      s.dataset.following = "1";
      follow(s);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSwap", function (e) { bind(e.target); });
})();

// Forms marked data-swap-errors show a refusal in place: htmx swaps 4xx answers only when told.
document.addEventListener("htmx:beforeSwap", function (e) {
  const status = e.detail.xhr.status;
  if (e.detail.requestConfig && e.detail.requestConfig.elt && e.detail.requestConfig.elt.closest("[data-swap-errors]")
      && (status === 400 || status === 403 || status === 409)) {
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  }
});

// A form with data-confirm asks before it acts (removing a shift, switching someone off duty).
document.addEventListener("submit", function (e) {
  const form = e.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    e.preventDefault();
  }
}, true);
