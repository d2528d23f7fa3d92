/* The check-in page: type or scan a ticket code; offline, check against a downloaded list and queue
   the check-ins for the sync endpoint (the server accepts each ticket once, so a resent batch is safe). */
(function () {
  "use strict";
  // «1 200»: thousands joined by a no-break space, as core.text.ru_number writes numbers on the pages.
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0"); }
  var form = document.getElementById("checkin-form");
  if (!form) { return; }
  var input = document.getElementById("code");
  var box = document.getElementById("checkin-result");
  var offlineStatus = document.getElementById("offline-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var scanUrl = form.dataset.scanUrl;
  var syncUrl = form.dataset.syncUrl;
  var listKey = "forum-checkin-list:" + scanUrl;
  var queueKey = "forum-checkin-queue:" + scanUrl;

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full or disabled */ }
  }
  function normalise(text) {
    var tail = String(text || "").trim().split("/").pop().toUpperCase();
    return tail.replace(/[^A-Z0-9]/g, "");
  }
  function show(ok, message, lines) {
    box.className = "checkin-result " + (ok ? "ok" : "refused");
    box.textContent = "";
    var p = document.createElement("p");
    p.className = "verdict";
    p.textContent = message;
    box.appendChild(p);
    if (lines && lines.length) {
      var details = document.createElement("p");
      lines.forEach(function (line, i) {
        if (i) { details.appendChild(document.createElement("br")); }
        var span = document.createElement(i === 0 ? "strong" : "span");
        span.textContent = line;
        details.appendChild(span);
      });
      box.appendChild(details);
    }
  }

  function offlineCheck(code) {
    var list = load(listKey, null);
    var queue = load(queueKey, []);
    if (!list) {
      show(false, "Нет связи, а офлайн-список не загружен. Код сохранён и будет проверен при появлении связи.");
    } else {
      var ticket = list.tickets.filter(function (t) { return t.code === code; })[0];
      var queued = queue.some(function (q) { return q.code === code; });
      if (!ticket) {
        show(false, "Нет связи: билета с таким кодом нет в офлайн-списке.");
        return;
      }
      if (ticket.checked_in_at || queued) {
        show(false, "Повторный вход: билет уже отмечен" + (ticket.checked_in_at ? " в " + ticket.checked_in_at.slice(11, 19) : " на этом телефоне") + ".", [ticket.name, ticket.kind]);
        return;
      }
      show(true, "Вход отмечен (офлайн, отправится при появлении связи).", [ticket.name, ticket.kind]);
    }
    queue.push({ code: code, at: new Date().toISOString() });
    save(queueKey, queue);
  }

  function submit(code, source) {
    code = normalise(code);
    if (!code) { return; }
    var body = new FormData();
    body.append("code", code);
    body.append("source", source);
    fetch(scanUrl, { method: "POST", body: body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        var lines = data.name ? [data.name, data.kind + (data.seats > 1 ? ", " + data.seats + " чел." : "") + " · " + data.status, data.session + " · " + data.venue] : [];
        show(data.ok, data.message, lines);
      })
      .catch(function () { offlineCheck(code); });
    input.value = "";
    input.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit(input.value, "typed");
  });

  function sync() {
    var queue = load(queueKey, []);
    if (!queue.length || !navigator.onLine) { return; }
    fetch(syncUrl, { method: "POST", body: JSON.stringify({ checkins: queue }), credentials: "same-origin",
                     headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
      .then(function (counts) {
        save(queueKey, []);
        if (offlineStatus) {
          offlineStatus.textContent = "Отправлено офлайн-отметок: " + num(counts.accepted) + ", повторных: " + num(counts.duplicate) + ", отклонено: " + num(counts.refused) + ".";
        }
      })
      .catch(function () { /* try again when the connection returns */ });
  }
  window.addEventListener("online", sync);
  sync();

  Array.prototype.forEach.call(document.querySelectorAll("a[data-offline-list]"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      fetch(link.href, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          save(listKey, data);
          offlineStatus.textContent = "Список площадки «" + data.venue + "» загружен: билетов " + num(data.tickets.length) + ".";
        })
        .catch(function () { offlineStatus.textContent = "Не удалось загрузить список: нет связи."; });
    });
  });

  // The camera: jsQR (vendored from npm) decodes frames drawn on a canvas.
  var startButton = document.getElementById("scan-start");
  var video = document.getElementById("scan-video");
  if (startButton && video && window.jsQR && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    startButton.hidden = false;
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var last = "";
    var lastAt = 0;
    var tick = function () {
      if (video.readyState === video.HAVE_ENOUGH_DATA) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        var now = Date.now();
        if (found && found.data && (found.data !== last || now - lastAt > 4000)) {
          last = found.data;
          lastAt = now;
          submit(found.data, "scan");
        }
      }
      if (!video.hidden) { requestAnimationFrame(tick); }
    };
    startButton.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        startButton.hidden = true;
        video.play();
        requestAnimationFrame(tick);
      }).catch(function () {
        show(false, "Камера недоступна: введите код вручную.");
      });
    });
  }
}());
