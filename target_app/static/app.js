// Meshmarket: live notifications over /ws/notifications, the share link's copy button, and the
// page-side part of two fault switches.
// A file (never inline) so the Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  "use strict";
  var region = document.getElementById("notifications");
  var MAX_SHOWN = 5;

  function show(message) {
    if (!region) { return; }
    var text = message.type === "model.created"
      ? "New model: " + message.title + " by " + message.author
      : "New comment by " + message.author + " on model " + message.model_id;
    var p = document.createElement("p");
    p.setAttribute("data-event", message.type);
    var link = document.createElement("a");
    link.href = message.url;
    link.textContent = text;
    p.appendChild(link);
    region.appendChild(p);
    while (region.childNodes.length > MAX_SHOWN) { region.removeChild(region.firstChild); }
  }

  function connect(delay) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/notifications");
    socket.addEventListener("open", function () {
      document.documentElement.setAttribute("data-ws", "open");
      delay = 1000;
    });
    socket.addEventListener("message", function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "model.created" || message.type === "comment.created") { show(message); }
    });
    socket.addEventListener("close", function () {
      document.documentElement.setAttribute("data-ws", "closed");
      window.setTimeout(function () { connect(Math.min(delay * 2, 30000)); }, delay);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (input && navigator.clipboard) {
      navigator.clipboard.writeText(input.value).then(function () { button.textContent = "Copied"; });
    }
  });

  // Fault switches (target_app/faults.py): the server only marks the page; the behaviour is here,
  // so the Content-Security-Policy still needs no 'unsafe-inline'.
  var lateBanner = document.querySelector('[data-fault="layout-shift"]');
  if (lateBanner) {
    window.addEventListener("load", function () {
      // Two frames after load the page has painted: content inserted above it now shifts it.
      window.requestAnimationFrame(function () {
        window.requestAnimationFrame(function () {
          lateBanner.className = "late-banner";
          lateBanner.textContent = "Spring sale: featured creators all week.";
        });
      });
    });
  }
  if (document.querySelector('[data-fault="slow-interaction"]')) {
    document.addEventListener("click", function () {
      // Busy work on the main thread: the next paint waits ~300 ms (INP).
      var until = performance.now() + 300;
      while (performance.now() < until) { Math.sqrt(until); }
    });
  }

  if ("WebSocket" in window) { connect(1000); }
})();
