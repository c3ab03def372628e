// Live chat over the socket at /ws/chat/ (protocol: docs/websocket.md).
// On every page it keeps the header's unread count live; on a page with a [data-chat] root
// (the chat window, and the Message Center's conversation when it shows the newest messages)
// it sends and receives messages, shows sent → delivered → read, typing and presence where the
// page has a place for them, reconnects with back-off, catches up from the last seq it has,
// and sends what was typed offline once. Without this file both pages are forms that post.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("WebSocket" in window)) { return; }
  var root = document.querySelector("[data-chat]");
  var centerLink = document.querySelector('.main-nav a[href="' + script.dataset.centerUrl + '"]');
  var ws = null;
  var attempt = 0;
  var heartbeatSeconds = 25;
  var heardAt = 0;
  var unread = 0;

  function fill(template, value) { return template.replace(/\{\w+\}/, value); }

  // --- header badge ------------------------------------------------------------------------

  function showUnread(total) {
    unread = Math.max(0, total);
    if (!centerLink) { return; }
    var badge = centerLink.querySelector(".badge");
    if (unread === 0) {
      if (badge) { badge.remove(); }
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      centerLink.appendChild(document.createTextNode(" "));
      centerLink.appendChild(badge);
    }
    badge.textContent = String(unread);
    badge.removeAttribute("aria-label");  // the server's wording counted the old number
  }

  // --- the live conversation -----------------------------------------------------------------

  var chat = root ? makeChat(root) : null;

  function makeChat(el) {
    var d = el.dataset;
    var id = Number(d.conversation);
    var asStore = d.asStore === "true";
    var lastSeq = Number(d.lastSeq);
    var theirRead = Number(d.theirRead);
    var theirDelivered = theirRead;
    var log = el.querySelector("[data-chat-log]");
    var status = el.querySelector("[data-chat-status]");
    var typingLine = el.querySelector("[data-chat-typing]");
    var presenceEl = el.querySelector("[data-presence]");
    var form = el.querySelector("[data-message-form]");
    var body = form.elements.body;
    var photos = form.elements.photos;
    var formError = form.querySelector("[data-form-error]");
    var lang = document.documentElement.lang || "ru";
    // A log with day separators (the Message Center) shows only the time on each message.
    var withDays = log.hasAttribute("data-chat-days");
    var outbox = [];  // frames not yet acknowledged, in the order they were written
    var typingSentAt = 0;
    var typingTimer = null;
    var readSent = 0;

    function scrollsItself() {
      var overflow = getComputedStyle(log).overflowY;
      return overflow === "auto" || overflow === "scroll";
    }
    // A chat window opens at its newest message, as the history it shows ends there.
    if (scrollsItself()) { log.scrollTop = log.scrollHeight; }
    var timeFormat = new Intl.DateTimeFormat(lang, {
      day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
      timeZone: d.timeZone
    });
    var clockFormat = new Intl.DateTimeFormat(lang, { hour: "numeric", minute: "2-digit", timeZone: d.timeZone });
    var dayFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric", timeZone: d.timeZone });
    var priceFormat = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false });

    function when(iso) {  // "27.11.2026 17:51", as the server writes it
      return timeFormat.format(new Date(iso)).replace(", ", " ");
    }

    function dayOf(iso) { return dayFormat.format(new Date(iso)); }  // "27 ноября 2026 г."

    function price(value) {
      var number = Number(value);
      return isNaN(number) ? String(value) : priceFormat.format(number);
    }

    function setStatus(text) { if (status) { status.textContent = text; } }

    function setTyping(text) { if (typingLine) { typingLine.textContent = text; } }

    function newId() {
      return window.crypto && crypto.randomUUID ? crypto.randomUUID().replace(/-/g, "")
        : String(Date.now()) + Math.random().toString(16).slice(2);
    }

    function mark(li, state) {
      var span = li.querySelector(".message-status");
      if (!span) { return; }
      var rank = { sent: 1, delivered: 2, read: 3 };
      if (rank[span.dataset.status] && (rank[state] || 0) < rank[span.dataset.status]) { return; }
      span.dataset.status = state;
      span.textContent = d["l" + state.charAt(0).toUpperCase() + state.slice(1)];
    }

    function refreshMarks() {
      log.querySelectorAll(".message.mine[data-seq]").forEach(function (li) {
        var seq = Number(li.dataset.seq);
        if (seq <= theirRead) { mark(li, "read"); } else if (seq <= theirDelivered) { mark(li, "delivered"); }
      });
    }

    function element(tag, className, text) {
      var node = document.createElement(tag);
      if (className) { node.className = className; }
      if (text !== undefined) { node.textContent = text; }
      return node;
    }

    function render(message, own) {
      var li = element("li", "message " + (own ? "mine" : "theirs"));
      li.id = "m-" + message.seq;
      li.dataset.seq = message.seq;
      if (message.client_id) { li.dataset.clientId = message.client_id; }
      var meta = element("div", "message-meta");
      meta.appendChild(element("span", "message-author", message.sender.name));
      meta.appendChild(document.createTextNode(" "));
      var time = element("time", "", withDays ? clockFormat.format(new Date(message.created_at)) : when(message.created_at));
      time.setAttribute("datetime", message.created_at);
      time.title = when(message.created_at);
      meta.appendChild(time);
      if (own) {
        meta.appendChild(document.createTextNode(" "));
        var state = element("span", "message-status", d.lSent);
        state.dataset.status = "sent";
        meta.appendChild(state);
      }
      li.appendChild(meta);
      if (message.context && message.context.kind) {
        var card = element("p", "context-card");
        if (message.context.kind === "product") {
          var link = element("a", "", message.context.title);
          link.href = message.context.url;
          card.appendChild(link);
          card.appendChild(document.createTextNode(" — " + price(message.context.price) + " " + message.context.currency));
        } else {
          var order = fill(d.lOrder, message.context.number);
          if (!asStore && message.context.url) {  // the buyer's own order has a page
            var orderLink = element("a", "", order);
            orderLink.href = message.context.url;
            card.appendChild(orderLink);
          } else {
            card.textContent = order;
          }
        }
        li.appendChild(card);
      }
      if (message.body) {
        var text = element("div", "message-body");
        message.body.split("\n").forEach(function (line, i) {
          if (i) { text.appendChild(document.createElement("br")); }
          text.appendChild(document.createTextNode(line));
        });
        li.appendChild(text);
      }
      if (message.attachments && message.attachments.length) {
        var list = element("ul", "message-photos");
        message.attachments.forEach(function (photo) {
          var item = element("li");
          var a = element("a");
          a.href = photo.url;
          a.target = "_blank";
          a.rel = "noopener";
          var img = element("img");
          img.src = photo.thumbnail_url;
          img.alt = d.lPhoto + " " + photo.original_name;
          a.appendChild(img);
          item.appendChild(a);
          list.appendChild(item);
        });
        li.appendChild(list);
      }
      return li;
    }

    function lastDay() {
      var times = log.querySelectorAll(".message time[datetime]");
      return times.length ? dayOf(times[times.length - 1].getAttribute("datetime")) : null;
    }

    function append(li) {
      var empty = log.querySelector("[data-chat-empty]");
      if (empty) { empty.remove(); }
      if (withDays) {  // a message on a new day opens with that day's separator, as the server does
        var day = dayOf(li.querySelector("time").getAttribute("datetime"));
        if (day !== lastDay()) {
          var separator = element("li", "day-separator");
          separator.setAttribute("role", "separator");
          separator.appendChild(element("span", "", day));
          log.appendChild(separator);
        }
      }
      log.appendChild(li);
      // A log that scrolls by itself follows the newest message; a log that is part of the page
      // leaves the reader where they are (the browser keeps the reply form in place).
      if (scrollsItself()) { li.scrollIntoView({ block: "end" }); }
    }

    function pendingItem(clientId) {
      return log.querySelector('.message[data-client-id="' + clientId + '"]:not([data-seq])');
    }

    function receive(message, own) {
      if (message.seq <= lastSeq) { return; }
      if (message.seq > lastSeq + 1) {  // a gap: ask for what is missing, in order
        send({ type: "resume", conversation: id, last_seq: lastSeq });
        return;
      }
      lastSeq = message.seq;
      var li = render(message, own);
      var pending = own && message.client_id ? pendingItem(message.client_id) : null;
      if (pending) { pending.replaceWith(li); } else { append(li); }
      if (own) { refreshMarks(); } else { setTyping(""); readUpTo(); }
    }

    function readUpTo() {
      if (document.visibilityState !== "visible" || lastSeq <= readSent) { return; }
      if (send({ type: "read", conversation: id, seq: lastSeq })) { readSent = lastSeq; }
    }

    function loadOverHttp() {
      // The server keeps fewer missed messages for replay than we lack: read them page by page.
      return fetch(d.historyUrl + "?limit=100&after=" + lastSeq, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (page) {
          page.items.forEach(function (message) { receive(message, message.from_store === asStore); });
          if (page.has_after) { return loadOverHttp(); }
          return null;
        });
    }

    function queue(text, attachments) {
      var frame = { type: "send", conversation: id, client_id: newId(), body: text, attachments: attachments };
      outbox.push(frame);
      typingSentAt = 0;  // the next keystroke starts a new "typing…"
      var li = render({
        seq: "", client_id: frame.client_id, body: text, attachments: [],
        sender: { name: "" }, created_at: new Date().toISOString()
      }, true);
      li.removeAttribute("id");
      delete li.dataset.seq;
      li.querySelector(".message-author").textContent = "";
      li.querySelector(".message-status").dataset.status = "queued";
      append(li);
      mark(li, "queued");
      if (ws && ws.readyState === WebSocket.OPEN) { flush(); }
    }

    function flush() {
      outbox.forEach(function (frame) {
        if (send(frame)) {
          var li = pendingItem(frame.client_id);
          if (li) { mark(li, "sending"); }
        }
      });
    }

    function upload(files) {
      if (!files.length) { return Promise.resolve([]); }
      if (!ws || ws.readyState !== WebSocket.OPEN) { return Promise.reject(new Error(d.lPhotosOffline)); }
      var data = new FormData();
      Array.prototype.forEach.call(files, function (file) { data.append("files", file); });
      return fetch(d.uploadUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value }
      }).then(function (response) {
        return response.json().then(function (result) {
          if (!response.ok) { throw new Error(result.message); }
          return result.map(function (photo) { return photo.id; });
        });
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = body.value.trim();
      var files = photos ? photos.files : [];
      if (!text && !files.length) { body.focus(); return; }
      formError.hidden = true;
      upload(files).then(function (ids) {
        queue(text, ids);
        form.reset();
        body.focus();
      }).catch(function (error) {
        formError.textContent = error.message;
        formError.hidden = false;
      });
    });
    body.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    body.addEventListener("input", function () {
      var moment = Date.now();
      if (moment - typingSentAt > 3000 && send({ type: "typing", conversation: id })) { typingSentAt = moment; }
    });
    document.addEventListener("visibilitychange", readUpTo);

    function showPresence(frame) {
      if (!presenceEl) { return; }
      presenceEl.dataset.online = String(frame.online);
      if (frame.online) {
        presenceEl.textContent = d.lOnline;
      } else if (frame.last_seen) {
        presenceEl.textContent = fill(d.lLastSeen, when(frame.last_seen));
      } else {
        presenceEl.textContent = d.lOffline;
      }
    }

    // Tabs: Contact / Product (without scripts both panels simply show one under the other).
    var tabs = el.querySelector("[data-chat-tabs]");
    var tabButtons = tabs ? Array.prototype.slice.call(tabs.querySelectorAll("[role=tab]")) : [];
    function selectTab(button) {
      tabButtons.forEach(function (other) {
        var chosen = other === button;
        other.setAttribute("aria-selected", String(chosen));
        other.tabIndex = chosen ? 0 : -1;
        document.getElementById(other.getAttribute("aria-controls")).hidden = !chosen;
      });
    }
    if (tabs) {
      tabs.hidden = false;
      el.querySelectorAll(".chat-panel-title").forEach(function (title) { title.classList.add("visually-hidden"); });
      selectTab(tabButtons[0]);
    }
    tabButtons.forEach(function (button, index) {
      button.addEventListener("click", function () { selectTab(button); });
      button.addEventListener("keydown", function (event) {
        var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (!step) { return; }
        var next = tabButtons[(index + step + tabButtons.length) % tabButtons.length];
        selectTab(next);
        next.focus();
      });
    });
    if (presenceEl) {
      showPresence({ online: presenceEl.dataset.online === "true", last_seen: presenceEl.dataset.lastSeen });
    }

    return {
      id: id,
      opened: function () {
        setStatus(d.lConnected);
        send({ type: "resume", conversation: id, last_seq: lastSeq });
        flush();
      },
      closed: function (seconds) {
        setStatus(fill(d.lReconnecting, seconds));
        outbox.forEach(function (frame) {
          var li = pendingItem(frame.client_id);
          if (li) { mark(li, "queued"); }
        });
      },
      connecting: function () { setStatus(d.lConnecting); },
      handle: function (frame) {
        if (frame.conversation !== id) { return false; }
        switch (frame.type) {
          case "message":
            receive(frame.message, frame.own);
            return document.visibilityState === "visible";
          case "ack":
            outbox = outbox.filter(function (queued) { return queued.client_id !== frame.client_id; });
            // The ack carries the message: this tab gets no other copy of it.
            receive(frame.message, true);
            var li = pendingItem(frame.client_id);
            if (li) { mark(li, "sent"); }
            return true;
          case "error":
            if (frame.client_id) {
              outbox = outbox.filter(function (queued) { return queued.client_id !== frame.client_id; });
              var failed = pendingItem(frame.client_id);
              if (failed) { mark(failed, "failed"); failed.title = frame.message; }
              formError.textContent = frame.message;
              formError.hidden = false;
            }
            return true;
          case "read":
            if (frame.from_store !== asStore) { theirRead = Math.max(theirRead, frame.seq); refreshMarks(); }
            return true;
          case "delivered":
            theirDelivered = Math.max(theirDelivered, frame.seq);
            refreshMarks();
            return true;
          case "typing":
            setTyping(fill(d.lTyping, frame.name));
            clearTimeout(typingTimer);
            typingTimer = setTimeout(function () { setTyping(""); }, 5000);
            return true;
          case "presence":
            showPresence(frame);
            return true;
          case "resumed":
            theirRead = Math.max(theirRead, asStore ? frame.read.buyer : frame.read.store);
            refreshMarks();
            readUpTo();
            return true;
          case "resync":
            loadOverHttp().then(function () { send({ type: "resume", conversation: id, last_seq: lastSeq }); });
            return true;
        }
        return false;
      }
    };
  }

  // --- the socket ----------------------------------------------------------------------------

  function send(frame) {
    if (!ws || ws.readyState !== WebSocket.OPEN) { return false; }
    ws.send(JSON.stringify(frame));
    return true;
  }

  function onFrame(event) {
    heardAt = Date.now();
    var frame = JSON.parse(event.data);
    // Other scripts (the notifications bell) listen for the frames meant for them.
    document.dispatchEvent(new CustomEvent("parley:frame", { detail: frame }));
    if (chat && chat.handle(frame)) { return; }
    switch (frame.type) {
      case "hello":
        heartbeatSeconds = frame.heartbeat_seconds;
        showUnread(frame.unread);
        break;
      case "unread":
        showUnread(frame.total);
        break;
      case "ping":
        send({ type: "pong" });
        break;
      case "message":
        if (!frame.own) { showUnread(unread + 1); }
        break;
    }
  }

  function connect() {
    if (chat) { chat.connecting(); }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + script.dataset.socket, ["parley.chat.v1"]);
    ws.addEventListener("open", function () {
      attempt = 0;
      document.documentElement.dataset.chatConnected = "true";
      heardAt = Date.now();
      if (chat) { chat.opened(); }
    });
    ws.addEventListener("message", onFrame);
    ws.addEventListener("close", function () {
      ws = null;
      document.documentElement.dataset.chatConnected = "false";
      // Back-off with jitter: 1, 2, 4 … 30 seconds, so a restarted server is not stampeded.
      var seconds = Math.min(30, Math.pow(2, attempt));
      attempt += 1;
      var wait = seconds * (0.5 + Math.random() / 2);
      if (chat) { chat.closed(Math.ceil(wait)); }
      setTimeout(connect, wait * 1000);
    });
  }

  // A socket the server has not spoken on for two heartbeats is dead even if it looks open.
  setInterval(function () {
    if (ws && ws.readyState === WebSocket.OPEN && Date.now() - heardAt > heartbeatSeconds * 2000) { ws.close(); }
  }, 5000);
  window.addEventListener("online", function () { if (!ws) { attempt = 0; connect(); } });

  connect();
})();
