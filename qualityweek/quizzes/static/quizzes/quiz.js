/* Live quiz: the host's screen (#host) and the player's screen (#play). Vanilla JS, no inline code.
   The server is authoritative: it opens and closes questions, scores answers and ranks players. */
(function () {
  "use strict";
  function picture(img, q) {
    // A question's picture (its alt text is required), or none.
    if (!img) { return; }
    if (q.image) { img.src = q.image; img.alt = q.image_alt || ""; img.hidden = false; }
    else { img.removeAttribute("src"); img.alt = ""; img.hidden = true; }
  }
  var SHAPES = ["▲", "◆", "●", "■", "★", "⬟"];
  var LETTERS = "ABCDEF";

  function $(id) { return document.getElementById(id); }
  // «5 000»: thousands joined by a no-break space, as core.text.ru_number writes numbers on the pages.
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0"); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/quiz/";
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function Countdown(node, srNode) {
    this.node = node; this.sr = srNode; this.timer = null;
  }
  Countdown.prototype.start = function (ms) {
    var self = this;
    this.stop();
    if (ms === null || ms === undefined) { this.node.textContent = "Без ограничения времени"; return; }
    var end = Date.now() + ms;
    var said = {};
    function tick() {
      var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      self.node.textContent = "Осталось: " + left + " с";
      if (self.sr && (left === 10 || left === 5) && !said[left]) {
        said[left] = true; self.sr.textContent = "Осталось " + left + " секунд";
      }
      if (left <= 0) { self.stop(); }
    }
    tick();
    this.timer = setInterval(tick, 250);
  };
  Countdown.prototype.stop = function () { if (this.timer) { clearInterval(this.timer); this.timer = null; } };

  /* ---------------------------------------------------------------- host */
  function host(root) {
    var gameId = parseInt(root.getAttribute("data-game"), 10);
    var ws = null, phase = "lobby", last = false;
    var status = $("host-status");
    var countdown = new Countdown($("host-timer"), null);

    function send(frame) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); } }
    function show(id, on) { $(id).hidden = !on; }
    function controls() {
      $("btn-next").textContent = phase === "lobby" ? "Начать игру" : (last ? "Показать итоги" : "Следующий вопрос");
      $("btn-next").disabled = phase === "question" || phase === "finished";
      $("btn-reveal").disabled = phase !== "question";
      $("btn-skip").disabled = phase !== "question";
      $("btn-pause").disabled = phase !== "question";
      $("btn-resume").disabled = phase !== "paused";
      $("btn-end").disabled = phase === "finished";
    }
    function lobby(msg) {
      $("lobby-count").textContent = num(msg.count);
      var list = $("lobby-list");
      list.textContent = "";
      msg.players.forEach(function (p) {
        var li = el("li", {}, p.nickname + (p.team ? " — " + p.team : "") + (p.online ? "" : " (не на связи)") + " ");
        var kick = el("button", {"type": "button", "class": "link", "data-kick": p.id,
                                  "aria-label": "Удалить игрока " + p.nickname}, "удалить");
        li.appendChild(kick);
        list.appendChild(li);
      });
    }
    function board(list, rows) {
      var ol = $(list); ol.textContent = "";
      rows.forEach(function (r) { ol.appendChild(el("li", {}, num(r.place) + ". " + r.nickname + " — " + num(r.score))); });
    }
    function teams(rows) {
      show("host-teams", !!(rows && rows.length));
      var ol = $("teams-list"); ol.textContent = "";
      (rows || []).forEach(function (t) {
        ol.appendChild(el("li", {}, num(t.place) + ". " + t.team + " — " + num(t.score) + " (игроков: " + num(t.members) + ")"));
      });
    }
    function question(q) {
      phase = q.paused ? "paused" : "question";
      show("host-question", true); show("host-board", false); show("host-join", false); show("host-teams", false);
      $("host-qnum").textContent = "Вопрос " + (q.index + 1) + " из " + q.total;
      $("host-qtext").textContent = q.text;
      picture($("host-image"), q);
      $("host-answered").textContent = "Ответили: 0";
      $("host-explanation").textContent = "";
      var ul = $("host-options"); ul.textContent = "";
      q.options.forEach(function (o, n) {
        ul.appendChild(el("li", {"class": "answer c" + n}, SHAPES[n] + " " + LETTERS[n] + ". " + o.text));
      });
      if (q.paused) { countdown.stop(); $("host-timer").textContent = "Пауза"; } else { countdown.start(q.time_left_ms); }
      status.textContent = "Вопрос " + (q.index + 1) + ": " + q.text;
    }
    function reveal(r) {
      last = !!r.last;
      countdown.stop();
      $("host-timer").textContent = "Время вышло";
      var ul = $("host-options"); ul.textContent = "";
      r.options.forEach(function (o, n) {
        var right = r.solution.correct && r.solution.correct.indexOf(o.i) >= 0;
        var count = r.distribution.length ? " — " + r.distribution[o.i] : "";
        ul.appendChild(el("li", {"class": "answer c" + n + (right ? " right" : "")},
                          SHAPES[n] + " " + LETTERS[n] + ". " + o.text + count + (right ? " ✓ верно" : "")));
      });
      var extra = "";
      if (r.solution.accepted) { extra = "Верный ответ: " + r.solution.accepted.join(", "); }
      if (r.solution.target !== undefined) { extra = "Верное число: " + r.solution.target; }
      if (r.solution.order) { extra = "Верный порядок: " + r.options.map(function (o) { return o.text; }).join(" → "); }
      $("host-explanation").textContent = [extra, r.explanation].filter(Boolean).join(". ");
      $("host-answered").textContent = "Ответили: " + num(r.answered) + (r.correct_share !== null ? ", верно — " + r.correct_share + "%" : "");
      board("board-list", r.leaderboard); show("host-board", true); teams(r.teams);
      status.textContent = "Ответ показан. " + (r.last ? "Это был последний вопрос." : "");
      phase = "reveal";
    }
    function finished(msg) {
      phase = "finished"; countdown.stop();
      show("host-question", false); show("host-board", false); show("host-podium", true); show("host-join", false);
      board("podium-list", msg.podium); teams(msg.teams);
      status.textContent = "Игра окончена. " + (msg.podium.length ? "Победитель — " + msg.podium[0].nickname + "." : "");
    }
    function onMessage(ev) {
      var msg = JSON.parse(ev.data);
      if (msg.type === "state") {
        phase = msg.phase; lobby(msg.lobby);
        if (msg.question) { question(msg.question); $("host-answered").textContent = "Ответили: " + num(msg.answered); }
        if (msg.reveal) { show("host-question", true); show("host-join", false); reveal(msg.reveal); }
        if (msg.podium) { finished({podium: msg.podium, teams: msg.teams}); }
        if (msg.phase === "lobby") { status.textContent = "Ждём игроков. PIN: " + msg.pin; }
      } else if (msg.type === "lobby") { lobby(msg); }
      else if (msg.type === "question") { question(msg); }
      else if (msg.type === "answered") { $("host-answered").textContent = "Ответили: " + num(msg.count) + " из " + num(msg.players); }
      else if (msg.type === "reveal") { reveal(msg); }
      else if (msg.type === "paused") { phase = "paused"; countdown.stop(); $("host-timer").textContent = "Пауза"; }
      else if (msg.type === "finished") { finished(msg); }
      else if (msg.type === "error") {
        status.textContent = msg.message;
        if (msg.code === "moved") { ws.close(); }  // another server runs the game now: reconnect there
      }
      controls();
    }
    function connect() {
      ws = new WebSocket(socketUrl());
      ws.onopen = function () { send({type: "host", game: gameId}); };
      ws.onmessage = onMessage;
      ws.onclose = function () {
        if (phase !== "finished") { status.textContent = "Связь потеряна, переподключаемся…"; setTimeout(connect, 1000); }
      };
    }
    root.addEventListener("click", function (ev) {
      var t = ev.target;
      if (t.getAttribute("data-cmd")) { send({type: t.getAttribute("data-cmd")}); }
      if (t.getAttribute("data-kick")) { send({type: "kick", player: parseInt(t.getAttribute("data-kick"), 10)}); }
    });
    controls();
    connect();
  }

  /* ---------------------------------------------------------------- player */
  function player(root) {
    var ws = null, pin = "", token = null, current = null, pending = null, done = false;
    var moved = false;  // the game went to another server: the join (with the token, once there is one) goes again
    var countdown = new Countdown($("timer"), $("timer-sr"));
    var announce = $("announce"), feedback = $("feedback");

    function key(p) { return "quiz-token:" + p; }
    function score(n) {  // «1 балл», «2 балла», «5 баллов»
      var m10 = n % 10, m100 = n % 100;
      $("my-score").textContent = num(n);
      $("my-score-word").textContent = m10 === 1 && m100 !== 11 ? "балл" :
        (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14) ? "балла" : "баллов");
    }
    function send(frame) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); } }
    function say(text) { announce.textContent = text; }

    function submit(value) {
      if (!current || current.answered) { return; }
      pending = {type: "answer", answer_id: uuid(), question: current.index, value: value};
      current.answered = true;
      send(pending);
      lock();
      feedback.textContent = "Ответ отправлен…";
    }
    function lock() {
      Array.prototype.forEach.call($("answers").querySelectorAll("button, input"), function (b) { b.disabled = true; });
    }
    function choiceButtons(q, multiple) {
      var box = $("answers"), picked = [];
      q.options.forEach(function (o, n) {
        var b = el("button", {"type": "button", "class": "answer c" + n, "aria-pressed": "false",
                              "data-letter": LETTERS[n]});
        b.appendChild(el("span", {"class": "shape", "aria-hidden": "true"}, SHAPES[n]));
        b.appendChild(el("span", {"class": "letter"}, LETTERS[n]));
        b.appendChild(el("span", {"class": "text"}, o.text));
        b.addEventListener("click", function () {
          if (!multiple) { submit([o.i]); return; }
          var at = picked.indexOf(o.i);
          if (at >= 0) { picked.splice(at, 1); } else { picked.push(o.i); }
          b.setAttribute("aria-pressed", at >= 0 ? "false" : "true");
        });
        box.appendChild(b);
      });
      if (multiple) {
        var go = el("button", {"type": "button", "class": "big"}, "Ответить");
        go.addEventListener("click", function () { if (picked.length) { submit(picked.slice()); } });
        box.appendChild(go);
      }
    }
    function inputAnswer(numeric) {
      var box = $("answers");
      var form = el("form", {"class": "typed"});
      var label = el("label", {"for": "typed-answer"}, numeric ? "Ваше число" : "Ваш ответ");
      var input = el("input", {"id": "typed-answer", "autocomplete": "off", "maxlength": "100"});
      if (numeric) { input.setAttribute("inputmode", "decimal"); }
      form.appendChild(label); form.appendChild(input);
      form.appendChild(el("button", {"type": "submit", "class": "big"}, "Ответить"));
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var v = input.value.trim();
        if (!v) { feedback.textContent = "Введите ответ."; return; }
        if (numeric) {
          var n = Number(v.replace(",", ".").replace(/\s/g, ""));
          if (!isFinite(n)) { feedback.textContent = "Введите число."; return; }
          submit(n);
        } else { submit(v); }
      });
      box.appendChild(form);
    }
    function ordering(q) {
      var box = $("answers"), order = q.options.slice();
      var ol = el("ol", {"class": "ordering"});
      function draw() {
        ol.textContent = "";
        order.forEach(function (o, n) {
          var li = el("li", {}, o.text + " ");
          var up = el("button", {"type": "button", "class": "small", "aria-label": "Выше: " + o.text}, "↑");
          var down = el("button", {"type": "button", "class": "small", "aria-label": "Ниже: " + o.text}, "↓");
          up.disabled = n === 0; down.disabled = n === order.length - 1;
          up.addEventListener("click", function () { move(n, -1); });
          down.addEventListener("click", function () { move(n, 1); });
          li.appendChild(up); li.appendChild(down); ol.appendChild(li);
        });
      }
      function move(n, d) {
        var t = order[n]; order[n] = order[n + d]; order[n + d] = t; draw();
        say("«" + t.text + "» теперь на месте " + (n + d + 1));
        var buttons = ol.querySelectorAll("li")[n + d].querySelectorAll("button");
        (buttons[d < 0 ? 0 : 1].disabled ? buttons[d < 0 ? 1 : 0] : buttons[d < 0 ? 0 : 1]).focus();
      }
      draw();
      box.appendChild(ol);
      var go = el("button", {"type": "button", "class": "big"}, "Ответить");
      go.addEventListener("click", function () { submit(order.map(function (o) { return o.i; })); });
      box.appendChild(go);
    }
    function question(q, answered) {
      current = {index: q.index, kind: q.kind, answered: !!answered, options: q.options};
      $("answers").textContent = ""; feedback.textContent = "";
      $("qtext").textContent = q.text;
      picture($("qimage"), q);
      say("Вопрос " + (q.index + 1) + " из " + q.total + ". " + q.text);
      if (q.kind === "single" || q.kind === "true_false" || q.kind === "poll") { choiceButtons(q, false); }
      else if (q.kind === "multiple") { choiceButtons(q, true); }
      else if (q.kind === "typed") { inputAnswer(false); }
      else if (q.kind === "estimate") { inputAnswer(true); }
      else if (q.kind === "ordering") { ordering(q); }
      else { current.answered = true; }
      if (q.paused) { countdown.stop(); $("timer").textContent = "Пауза"; } else { countdown.start(q.time_left_ms); }
      if (answered) { lock(); feedback.textContent = "Ответ принят. Ждём остальных."; }
      $("qtext").focus();
    }
    function onMessage(ev) {
      var msg = JSON.parse(ev.data);
      if (msg.type === "joined") {
        token = msg.token; pin = msg.pin;
        try { localStorage.setItem(key(pin), token); } catch (e) { /* private mode: no rejoin after reload */ }
        // A PIN typed into the form goes into the address too, so a reload rejoins with the saved token.
        if (window.history && history.replaceState && location.search !== "?pin=" + pin) {
          history.replaceState(null, "", location.pathname + "?pin=" + pin);
        }
        $("join-form").hidden = true; $("game").hidden = false;
        $("me").textContent = msg.nickname;
        $("my-team").textContent = msg.team ? " · команда «" + msg.team + "»" : "";
        if (pending) { send(pending); }
      } else if (msg.type === "state") {
        score(msg.score);
        if (msg.question) { question(msg.question, msg.answered); }
        else if (msg.phase === "lobby") { say("Вы в игре как «" + msg.nickname + "». Ждём начала."); $("qtext").textContent = "Ждём начала игры…"; }
        else if (msg.phase === "finished") { say("Игра окончена."); }
        else { say("Ждём следующий вопрос. Ваше место: " + (msg.place || "—")); }
      } else if (msg.type === "question") { pending = null; question(msg, false); }
      else if (msg.type === "answer_ack") { pending = null; feedback.textContent = "Ответ принят. Ждём остальных."; }
      else if (msg.type === "paused") { countdown.stop(); $("timer").textContent = "Пауза"; say("Пауза."); }
      else if (msg.type === "reveal") { countdown.stop(); $("timer").textContent = "Время вышло"; lock(); }
      else if (msg.type === "result") {
        score(msg.score);
        var text = !msg.answered ? "Вы не ответили." : (msg.correct === null ? "Ответ учтён." :
                   (msg.correct ? "Верно! +" + msg.points : (msg.points ? "Частично верно: +" + msg.points : "Неверно.")));
        feedback.textContent = text + " Всего: " + msg.score + ". Место: " + msg.place + ".";
        say(feedback.textContent);
      } else if (msg.type === "finished") {
        done = true; countdown.stop();
        $("answers").textContent = ""; $("qtext").textContent = "Игра окончена";
        score(msg.score);
        var podium = msg.podium.map(function (p) { return p.place + ". " + p.nickname + " — " + p.score; }).join("; ");
        feedback.textContent = "Ваше место: " + msg.place + " из " + msg.players + ". Баллы: " + msg.score + ". Пьедестал: " + podium;
        if (msg.teams && msg.teams.length) {
          feedback.textContent += ". Команды: " + msg.teams.map(function (t) { return t.place + ". " + t.team + " — " + t.score; }).join("; ");
        }
        say(feedback.textContent);
      } else if (msg.type === "kicked") {
        done = true; countdown.stop();
        try { localStorage.removeItem(key(pin)); } catch (e) { /* ignore */ }
        root.classList.add("kicked");
        $("answers").textContent = ""; $("qtext").textContent = msg.message; say(msg.message);
      } else if (msg.type === "error") {
        if (msg.code === "kicked") { done = true; root.classList.add("kicked"); $("join-form").hidden = true; $("game").hidden = false; $("qtext").textContent = msg.message; }
        else if (msg.code === "team") { teamChoice(msg.teams || []); }
        else if (msg.code === "bad_token") { try { localStorage.removeItem(key(pin)); } catch (e) { /* ignore */ } token = null; $("join-form").hidden = false; }
        if (msg.code === "late" || msg.code === "duplicate" || msg.code === "paused") { pending = null; }
        if (msg.code === "moved") { moved = true; ws.close(); }
        if ($("join-form").hidden) { feedback.textContent = msg.message; } else { $("join-error").textContent = msg.message; }
        say(msg.message);
      }
    }
    function teamChoice(names) {
      var box = $("join-team-options");
      if (!box.childNodes.length) {
        names.forEach(function (name, n) {
          var id = "join-team-" + n;
          var row = el("div", {"class": "choice"});
          row.appendChild(el("input", {"type": "radio", "name": "team", "id": id, "value": name}));
          row.appendChild(el("label", {"for": id}, name));
          box.appendChild(row);
        });
      }
      $("join-teams").hidden = false;
      var first = box.querySelector("input"); if (first) { first.focus(); }
    }
    function pickedTeam() {
      var on = $("join-team-options").querySelector("input:checked");
      return on ? on.value : "";
    }
    function connect(frame) {
      moved = false;
      ws = new WebSocket(socketUrl());
      ws.onopen = function () { send(frame); };
      ws.onmessage = onMessage;
      ws.onclose = function () {
        if (!done && (token || moved)) {
          say("Связь потеряна, возвращаемся в игру…");
          setTimeout(function () { connect(token ? {type: "join", pin: pin, token: token} : frame); }, 1000);
        }
      };
    }
    $("join-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      pin = $("join-pin").value.trim();
      $("join-error").textContent = "";
      if (!/^\d{6}$/.test(pin)) { $("join-error").textContent = "PIN — шесть цифр."; return; }
      var saved = null;
      try { saved = localStorage.getItem(key(pin)); } catch (e) { /* ignore */ }
      if (ws) { ws.onclose = null; ws.close(); }
      token = saved;
      connect(saved ? {type: "join", pin: pin, token: saved} : {type: "join", pin: pin, nickname: $("join-nickname").value.trim(), team: pickedTeam()});
    });
    document.addEventListener("keydown", function (ev) {
      if (!current || current.answered || ev.target.tagName === "INPUT") { return; }
      var n = LETTERS.indexOf(ev.key.toUpperCase());
      if (n < 0 && /^[1-6]$/.test(ev.key)) { n = parseInt(ev.key, 10) - 1; }
      var b = $("answers").querySelectorAll("button.answer")[n];
      if (n >= 0 && b) { b.click(); }
    });
    var initial = $("join-pin").value.trim();
    if (/^\d{6}$/.test(initial)) {
      var saved = null;
      try { saved = localStorage.getItem(key(initial)); } catch (e) { /* ignore */ }
      if (saved) { pin = initial; token = saved; connect({type: "join", pin: pin, token: saved}); }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if ($("host")) { host($("host")); }
    if ($("play")) { player($("play")); }
  });
})();
