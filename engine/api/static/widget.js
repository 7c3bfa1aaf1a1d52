/* Help-center chat widget: one tag embeds it.
 *   <script src="https://HOST/widget.js" data-key="PUBLIC_KEY" async></script>
 * It renders in a shadow root (host-page CSS cannot reach it, its CSS cannot leak out), calls the answer API at
 * the script's own origin, and keeps the conversation in localStorage under the key. Docs: docs/widget.md. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-key][src*='widget.js']");
  if (!script || window.__answerWidget) return;
  window.__answerWidget = true;

  var KEY = script.getAttribute("data-key") || "";
  var API = new URL(".", script.src).href.replace(/\/$/, "");
  var TITLE = script.getAttribute("data-title") || "Help center";
  var STORE = "answer-widget:" + KEY;
  var MARKDOWN = answerMarkdown(document);
  var LOCALE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(navigator.language || "") ? navigator.language : null;
  var REASONS = ["wrong", "outdated", "unclear", "incomplete", "not_my_question", "other"];
  /* What the server accepts (engine/api/schemas.py), so the browser refuses what the server would: "a@example". */
  var EMAIL_PATTERN = "[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+";
  var THUMB = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6' +
    '.02-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5' +
    '.2-.7v-2z"/></svg>';

  var CSS = [
    ":host{all:initial !important;}",
    ".root{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1f24;text-align:left;",
    "  letter-spacing:normal;text-transform:none;font-weight:400;font-style:normal;direction:ltr;}",
    ":where(.root) *,:where(.root) *::before,:where(.root) *::after{box-sizing:border-box;font:inherit;color:inherit;",
    "  letter-spacing:inherit;}",
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;}",
    "button,input,textarea,select{margin:0;}",
    "button{cursor:pointer;}",
    ":focus-visible{outline:3px solid #1f5fd1;outline-offset:2px;}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483646;display:inline-flex;align-items:center;gap:8px;",
    "  padding:12px 18px;border:0;border-radius:999px;background:#1a56c4;color:#fff;font-weight:600;",
    "  box-shadow:0 6px 20px rgba(16,24,40,.25);}",
    ".launcher:hover{background:#1647a3;}",
    ".launcher svg{width:20px;height:20px;fill:currentColor;}",
    ".panel{position:fixed;right:20px;bottom:84px;z-index:2147483647;display:flex;flex-direction:column;",
    "  width:380px;max-width:calc(100vw - 40px);height:600px;max-height:calc(100vh - 110px);background:#fff;",
    "  border:1px solid #d0d7e2;border-radius:14px;box-shadow:0 12px 40px rgba(16,24,40,.28);overflow:hidden;}",
    ".panel[hidden]{display:none;}",
    "header{display:flex;flex-wrap:wrap;gap:4px;align-items:center;justify-content:space-between;padding:12px 14px;background:#1a56c4;color:#fff;}",
    "header h2{margin:0;font-size:16px;font-weight:600;}",
    "header p{margin:0;font-size:13px;opacity:.95;}",
    ".close{border:0;background:transparent;color:#fff;font-size:22px;line-height:1;padding:4px 8px;border-radius:6px;}",
    ".close:focus-visible{outline-color:#fff;}",
    ".log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:10px;background:#f6f8fb;}",
    ".msg{max-width:92%;padding:10px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere;}",
    ".msg.user{align-self:flex-end;background:#1a56c4;color:#fff;border-bottom-right-radius:4px;}",
    ".msg.answer{white-space:normal;}",
    ".msg.bot{align-self:flex-start;background:#fff;border:1px solid #d8dee8;border-bottom-left-radius:4px;}",
    ".msg.notice{border-left:4px solid #a15c00;}",
    ".msg.error{border-left:4px solid #b42318;background:#fff5f4;}",
    ".msg.ticket{border-left:4px solid #137333;background:#f2fbf4;}",
    ".hello{color:#3d4652;}",
    ".sources{margin:8px 0 0;padding:8px 0 0;border-top:1px solid #e3e8ef;list-style:none;white-space:normal;}",
    ".sources li{margin:4px 0;font-size:13px;}",
    ".sources a{color:#1a56c4;font-weight:600;text-decoration:underline;}",
    ".date{display:block;color:#4a5462;font-size:12px;}",
    ".actions{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:8px;white-space:normal;font-size:13px;color:#3d4652;}",
    ".chip{display:inline-flex;align-items:center;border:1px solid #b8c2d1;background:#fff;border-radius:999px;",
    "  padding:5px 10px;color:#3d4652;}",
    ".chip svg{width:16px;height:16px;fill:currentColor;}",
    ".body p{margin:0 0 8px;}.body p:last-child{margin-bottom:0;}.body ul,.body ol{margin:0 0 8px;padding-left:20px;}",
    ".body code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;background:#eef2f7;padding:0 3px;border-radius:4px;}",
    ".body pre{margin:0 0 8px;padding:8px;background:#eef2f7;border-radius:6px;overflow-x:auto;white-space:pre;}",
    ".body pre code{padding:0;background:none;}.body em{font-style:italic;}",
    ".body .table{margin:0 0 8px;overflow-x:auto;}.body table{border-collapse:collapse;font-size:13px;}",
    /* cells break between words only (never "Pla n"): a table wider than the bubble scrolls sideways instead */
    ".body th,.body td{border:1px solid #d8dee8;padding:4px 6px;text-align:left;vertical-align:top;",
    "  overflow-wrap:normal;word-break:normal;hyphens:manual;min-width:4em;}.body th{background:#eef2f7;font-weight:700;}",
    ".tools{display:flex;gap:2px;align-items:center;}",
    ".tool{border:0;background:transparent;color:#fff;font-size:13px;font-weight:600;padding:4px 6px;border-radius:6px;",
    "  text-decoration:underline;}.tool:focus-visible{outline-color:#fff;}",
    ".requests{list-style:none;margin:8px 0 0;padding:0;}.requests li{margin:0 0 8px;}",
    ".ref{white-space:nowrap;}.requests .ref{font-weight:700;}",
    ".body strong{font-weight:700;}.body a{color:#1a56c4;text-decoration:underline;}",
    ".chip[aria-pressed=true]{background:#e6eefc;border-color:#1a56c4;}",
    ".link{border:0;background:none;padding:4px 2px;color:#1a56c4;text-decoration:underline;font-weight:600;font-size:13px;}",
    ".sub{display:flex;flex-direction:column;gap:6px;margin-top:8px;padding:10px;border:1px solid #e3e8ef;",
    "  border-radius:10px;background:#fbfcfe;white-space:normal;}",
    "label{font-size:13px;font-weight:600;color:#2b323b;}",
    "input,textarea,select{width:100%;padding:8px 10px;border:1px solid #8a94a3;border-radius:8px;background:#fff;color:#1b1f24;}",
    "textarea{resize:vertical;min-height:60px;}",
    ".row{display:flex;gap:8px;justify-content:flex-end;}",
    ".primary{border:0;border-radius:8px;background:#1a56c4;color:#fff;padding:8px 14px;font-weight:600;}",
    ".primary:disabled{background:#6b7a90;cursor:default;}",
    ".secondary{border:1px solid #b8c2d1;border-radius:8px;background:#fff;color:#1b1f24;padding:8px 14px;}",
    ".ask{display:flex;gap:8px;padding:10px;border-top:1px solid #d8dee8;background:#fff;}",
    ".ask input{flex:1;}",
    ".typing{color:#4a5462;font-style:italic;}",
    ".note{margin:0 0 8px;color:#4a5462;font-style:italic;}.ask-back{margin:0;}.topic{text-align:left;}",
    ".results .intro{margin:0;}.still{align-self:center;color:#4a5462;font-size:13px;}",
    "@media (max-width:480px){.panel{left:0;right:0;bottom:0;top:0;width:100%;max-width:100%;height:100%;",
    "  max-height:100%;border-radius:0;border:0;}.launcher{right:12px;bottom:12px;}}"
  ].join("\n");

  var state = load();
  if (!Array.isArray(state.sessions)) state.sessions = []; /* this browser's earlier conversations ("Your requests") */
  if (!state.lang) state.lang = language(LOCALE);
  var INCIDENTS = answerIncidents({ el: el, get: get, request: request, safeUrl: safeUrl, saved: save, t: t,
    emailPattern: EMAIL_PATTERN, lang: function () { return state.lang; },
    failed: showError, session: function () { return state.session_id; }, area: script.getAttribute("data-area"),
    every: script.getAttribute("data-incident-poll") });
  var host = document.createElement("div");
  host.id = "answer-widget";
  var shadow = host.attachShadow({ mode: "open" });
  shadow.innerHTML = "<style>" + CSS + INCIDENTS.css + "</style>";
  var root = el("div", { class: "root" });
  shadow.appendChild(root);

  var launcher = el("button", { class: "launcher", type: "button", "aria-expanded": "false",
    "aria-controls": "aw-panel", "aria-haspopup": "dialog" });
  launcher.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 ' +
    '2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  var launcherText = text("");
  launcher.appendChild(launcherText);

  var panel = el("div", { class: "panel", id: "aw-panel", role: "dialog", hidden: "" });
  var head = el("header");
  var heading = el("div");
  var headingNote = el("p");
  heading.append(el("h2", {}, TITLE), headingNote);
  var closeBtn = el("button", { class: "close", type: "button" }, "×");
  var requestsBtn = el("button", { class: "tool", type: "button" });
  var restartBtn = el("button", { class: "tool", type: "button" });
  head.append(heading, el("div", { class: "tools" }, requestsBtn, restartBtn, closeBtn));
  var log = el("div", { class: "log", role: "region" });
  var live = el("div", { class: "sr", "aria-live": "polite", role: "status" });
  var form = el("form", { class: "ask" });
  var inputId = "aw-question";
  var input = el("input", { id: inputId, name: "question", type: "text", autocomplete: "off", maxlength: "4000" });
  var send = el("button", { class: "primary", type: "submit" });
  var inputLabel = el("label", { class: "sr", for: inputId });
  form.append(inputLabel, input, send);
  panel.append(head, INCIDENTS.banner, log, live, form);
  labelFrame();
  root.append(launcher, panel);
  if (document.body) document.body.appendChild(host);
  else document.addEventListener("DOMContentLoaded", function () { document.body.appendChild(host); });
  INCIDENTS.start();

  render();
  if (state.open) open(true); /* open before the reload or navigation: stays open, without taking the focus */
  launcher.addEventListener("click", function () { panel.hidden ? open() : close(); });
  closeBtn.addEventListener("click", close);
  requestsBtn.addEventListener("click", showRequests);
  restartBtn.addEventListener("click", newConversation);
  panel.addEventListener("keydown", onKey);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (question && !send.disabled) ask(question);
  });

  /* The language of the widget's own words: the reply's (`language`), when the widget has them, else English. */
  function language(code) {
    var short = String(code || "").slice(0, 2).toLowerCase();
    return WIDGET_STRINGS[short] ? short : "en";
  }

  /* A string in `lang` ({name}s filled from `values`), English when that language lacks it. */
  function t(lang, key, values) {
    var words = (WIDGET_STRINGS[lang] || {})[key] || WIDGET_STRINGS.en[key] || key;
    return words.replace(/\{(\w+)\}/g, function (all, name) {
      return values && values[name] !== undefined && values[name] !== null ? String(values[name]) : all;
    });
  }

  /* The header, the question box and the launcher, in the language of the latest reply. */
  function labelFrame() {
    var lang = state.lang;
    launcherText.data = t(lang, "launcher");
    panel.setAttribute("aria-label", t(lang, "dialog", { title: TITLE }));
    panel.setAttribute("lang", lang);
    headingNote.textContent = t(lang, "title_note");
    closeBtn.setAttribute("aria-label", t(lang, "close"));
    requestsBtn.textContent = t(lang, "requests");
    restartBtn.textContent = t(lang, "restart");
    log.setAttribute("aria-label", t(lang, "conversation"));
    input.setAttribute("placeholder", t(lang, "placeholder"));
    send.textContent = t(lang, "send");
    inputLabel.textContent = t(lang, "question");
    INCIDENTS.relabel();
  }

  function open(restoring) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    log.scrollTop = log.scrollHeight;
    if (restoring !== true) input.focus();
    state.open = true;
    save();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
    state.open = false;
    save();
  }

  function onKey(event) {
    if (event.key === "Escape") { event.preventDefault(); close(); return; }
    if (event.key !== "Tab") return;
    var items = Array.prototype.filter.call(panel.querySelectorAll("a[href],button,input,textarea,select"),
      function (node) { return !node.disabled && node.offsetParent !== null; });
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1], active = shadow.activeElement;
    if (event.shiftKey && active === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && active === last) { event.preventDefault(); first.focus(); }
  }

  function ask(question) {
    input.value = "";
    push({ kind: "user", text: question });
    var pending = el("div", { class: "msg bot typing" }, t(state.lang, "searching"));
    log.appendChild(pending);
    scroll();
    busy(true);
    announce(t(state.lang, "searching"));
    var body = { question: question, contact_first: true };
    if (state.session_id) body.session_id = state.session_id;
    if (LOCALE) body.locale = LOCALE;
    request("/v1/ask", body, { Accept: "text/event-stream, application/json" })
      .then(function (response) { return readAnswer(response, pending); })
      .then(function (data) {
        pending.remove();
        state.session_id = data.session_id;
        remember(data.session_id);
        var item = itemFor(question, data);
        item.lang = language(data.language);
        if (item.lang !== state.lang) { state.lang = item.lang; labelFrame(); }
        push(item);
      })
      .catch(function (error) {
        pending.remove();
        if (error && error.status === 403 && state.session_id && !refusedOrigin(error)) state.session_id = null;
        push({ kind: "error", text: friendly(error), lang: state.lang });
      })
      .then(function () { busy(false); input.focus(); });
  }

  function readAnswer(response, pending) {
    var type = response.headers.get("content-type") || "";
    if (type.indexOf("text/event-stream") === -1) return response.json();
    pending.className = "msg bot";
    pending.textContent = "";
    var words = document.createTextNode("");
    pending.append(words);
    return readStream(response, function (piece) { words.data += piece; scroll(); }, function (notice) {
      /* An incident the question names: its notice first, while the answer is still being worded. */
      pending.prepend(INCIDENTS.notice({ incident: notice, early: true, lang: state.lang }));
      scroll();
    });
  }

  function readStream(response, onDelta, onNotice) {
    var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "", done = null;
    function handle(block) {
      var name = "message", data = "";
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data += line.slice(5).replace(/^ /, "");
      });
      if (!data) return;
      var payload = JSON.parse(data);
      if (name === "delta") onDelta(payload.text || "");
      else if (name === "notice") onNotice(payload);
      else if (name === "done") done = payload;
      else if (name === "error") throw failure(payload.status || 500);
    }
    function pump() {
      return reader.read().then(function (chunk) {
        buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
        var blocks = buffer.replace(/\r\n/g, "\n").split("\n\n");
        buffer = chunk.done ? "" : blocks.pop();
        blocks.forEach(handle);
        if (!chunk.done) return pump();
        if (!done) throw failure(502);
        return done;
      });
    }
    return pump();
  }

  function itemFor(question, data) {
    if (data.decision === "answer") return answerItem(question, data);
    if (data.decision === "reply") return { kind: "reply", text: data.message || "" };
    if (data.decision === "clarify") {
      return { kind: "clarify", text: data.message || "", suggestions: (data.suggestions || []).map(function (s) {
        return { title: s.title, question: s.question };
      }) };
    }
    if (data.decision === "confirm") return confirmItem(question, data);
    if (data.reason === "holdout") return resultsItem(question, data);
    if (data.reason === "known_incident") {
      return { kind: "incident", question: question, interaction_id: data.interaction_id, incident: data.incident };
    }
    return escalationItem(question, data);
  }

  function answerItem(question, data) {
    return { kind: "answer", question: question, text: data.answer || "", interaction_id: data.interaction_id,
      note: (data.incident ? data.message.replace(data.incident.text, "").trim() : data.message) || null,
      incident: data.incident || null,
      citations: (data.citations || []).map(function (c) {
        return { title: c.title, url: c.url, updated_at: c.updated_at, affected: !!c.affected };
      }) };
  }

  /* The holdout arm (docs/metrics.md): no answer, the search results as citations, no ticket unless asked for. */
  function resultsItem(question, data) {
    return { kind: "results", question: question, interaction_id: data.interaction_id, reason: data.reason,
      reference: null, message: data.message || null,
      citations: (data.citations || []).map(function (c) {
        return { title: c.title, url: c.url, updated_at: c.updated_at };
      }) };
  }

  function escalationItem(question, data) {
    return { kind: "escalated", question: question, interaction_id: data.interaction_id, reason: data.reason,
      reference: data.ticket ? data.ticket.reference : null, message: data.message || null,
      contact_needed: !!data.contact_needed, pending: !!data.ticket_pending };
  }

  function push(item) {
    if (asksForEmail(item)) { /* one email form at a time: the newest escalation's (it files every waiting one) */
      log.querySelectorAll("form.contact-form").forEach(function (old) { old.remove(); });
    }
    state.items.push(item);
    save();
    var node = draw(item);
    log.appendChild(node);
    if (item.kind === "answer") showStart(node);
    else scroll();
    if (item.kind !== "user") announce(node.getAttribute("data-say") || node.textContent);
  }

  /* A reply about an earlier message (its ticket confirmation) goes right under that message, not under whatever
   * was asked since. */
  function pushAfter(earlier, item) {
    var at = state.items.indexOf(earlier);
    if (at < 0 || at === state.items.length - 1) { push(item); return; }
    state.items.splice(at + 1, 0, item);
    save();
    var node = draw(item), anchor = null;
    Array.prototype.forEach.call(log.children, function (child) { if (child.awItem === earlier) anchor = child; });
    if (anchor) anchor.after(node); else log.appendChild(node);
    node.scrollIntoView({ block: "nearest" });
    announce(node.textContent);
  }

  /* Whether an item is waiting for the customer's email: filed once they give one (or continue without it), or a
   * ticket without one (until they declined to give one). */
  function asksForEmail(item) {
    if (item.kind !== "escalated") return false;
    if (item.pending && !item.reference) return true;
    return !!(item.contact_needed && item.reference && !item.contact && !item.incident && !state.declined);
  }

  function render() {
    log.replaceChildren(el("div", { class: "msg bot hello" }, t(state.lang, "hello")));
    state.items.forEach(function (item) { log.appendChild(draw(item)); });
  }

  function draw(item) {
    var node = keepRefs(drawItem(item));
    node.awItem = item;
    if (item.lang) node.setAttribute("lang", item.lang);
    return node;
  }

  function drawItem(item) {
    var lang = item.lang || state.lang;
    if (item.kind === "user") return el("div", { class: "msg user" }, item.text);
    if (item.kind === "error") return el("div", { class: "msg bot error", role: "alert" }, item.text);
    if (item.kind === "ticket") {
      return el("div", { class: "msg bot ticket" }, t(lang, "ticket_filed", { reference: item.reference }) + " " +
        (item.no_contact ? t(lang, "no_contact")
          : item.email ? t(lang, "reply_by_email", { email: item.email }) : t(lang, "reply_by_email_plain")));
    }
    if (item.kind === "escalated") return drawEscalation(item);
    if (item.kind === "results") return drawResults(item);
    if (item.kind === "reply") return el("div", { class: "msg bot reply" }, item.text);
    if (item.kind === "clarify") return drawClarify(item);
    if (item.kind === "confirm") return drawConfirm(item);
    if (item.kind === "incident") return el("div", { class: "msg bot notice escalation" }, INCIDENTS.notice(item));
    return drawAnswer(item);
  }

  function drawClarify(item) {
    var node = el("div", { class: "msg bot clarify" }, el("p", { class: "ask-back" }, item.text));
    var row = el("div", { class: "actions", role: "group", "aria-label": t(item.lang || state.lang, "suggested_topics") });
    item.suggestions.forEach(function (s) {
      var pick = el("button", { class: "chip topic", type: "button" }, s.title);
      pick.addEventListener("click", function () { if (!send.disabled) ask(s.question); });
      row.appendChild(pick);
    });
    if (item.suggestions.length) node.appendChild(row);
    return node;
  }

  /* "Is it one of these?" (decision confirm, docs/widget.md): the best articles' titles as buttons and "None of
   * these". A pick is sent back with the question (POST /v1/ask with `pick`) and answered from that article; "None
   * of these" escalates as any escalation does (the ticket pre-filled, the email asked for first). */
  function confirmItem(question, data) {
    return { kind: "confirm", question: question, interaction_id: data.interaction_id, text: data.message || "",
      picked: undefined, options: (data.suggestions || []).map(function (s) {
        return { article_id: s.article_id, title: s.title };
      }) };
  }

  function drawConfirm(item) {
    var node = el("div", { class: "msg bot confirm" }, el("p", { class: "ask-back" }, item.text || "Is it one of these?"));
    var row = el("div", { class: "actions", role: "group", "aria-label": "Is it one of these?" });
    var choices = item.options.map(function (o) { return { id: o.article_id, label: o.title }; })
      .concat([{ id: null, label: "None of these" }]);
    choices.forEach(function (choice) {
      var button = el("button", { class: "chip topic" + (choice.id === null ? " none" : ""), type: "button",
        "aria-pressed": String(item.picked !== undefined && item.picked === choice.id) }, choice.label);
      if (item.picked !== undefined) button.disabled = true;
      button.addEventListener("click", function () { if (!send.disabled && item.picked === undefined) pickOption(item, choice, row); });
      row.appendChild(button);
    });
    node.appendChild(row);
    return node;
  }

  function pickOption(item, choice, row) {
    item.picked = choice.id;
    save();
    row.querySelectorAll("button").forEach(function (b) {
      b.disabled = true;
      b.setAttribute("aria-pressed", String(b.textContent === choice.label));
    });
    push({ kind: "user", text: choice.label });
    var pending = el("div", { class: "msg bot typing" }, "Searching our help articles…");
    log.appendChild(pending);
    scroll();
    busy(true);
    var body = { question: item.question, session_id: state.session_id, contact_first: true,
      pick: { interaction_id: item.interaction_id, article_id: choice.id } };
    if (LOCALE) body.locale = LOCALE;
    request("/v1/ask", body, { Accept: "text/event-stream, application/json" })
      .then(function (response) { return readAnswer(response, pending); })
      .then(function (data) { pending.remove(); push(itemFor(item.question, data)); })
      .catch(function (error) {
        pending.remove();
        item.picked = undefined;
        save();
        row.querySelectorAll("button").forEach(function (b) { b.disabled = false; b.setAttribute("aria-pressed", "false"); });
        push({ kind: "error", text: friendly(error) });
      })
      .then(function () { busy(false); input.focus(); });
  }

  function drawAnswer(item) {
    var node = el("div", { class: "msg bot answer", "data-say": plain(item.text) }, el("div", { class: "body" }, rich(item.text)));
    if (item.note) node.insertBefore(el("p", { class: "note" }, item.note), node.firstChild);
    if (item.incident) node.insertBefore(INCIDENTS.notice(item), node.firstChild);
    if (item.citations.length) {
      node.appendChild(INCIDENTS.mark(articleList(item.citations, t(item.lang, "sources"), item.lang), item.citations, item.lang));
    }
    node.appendChild(feedbackRow(item));
    return node;
  }

  function articleList(citations, label, lang) {
    var list = el("ul", { class: "sources", "aria-label": label });
    citations.forEach(function (c) {
      var link = el("a", { href: safeUrl(c.url), target: "_blank", rel: "noopener" }, c.title);
      var li = el("li");
      li.append(link);
      if (c.updated_at) li.append(el("span", { class: "date" }, t(lang, "updated", { date: niceDate(c.updated_at, lang) })));
      list.appendChild(li);
    });
    return list;
  }

  /* Search results without an answer (the holdout arm): links to the best articles and the way to a person. With
   * no article found it reads as any escalation without a ticket. */
  function drawResults(item) {
    if (!item.citations.length) return drawEscalation(item);
    var lang = item.lang || state.lang, intro = t(lang, "may_help");
    var say = intro + " " + item.citations.map(function (c) { return c.title; }).join(", ") + ".";
    var node = el("div", { class: "msg bot escalation results", "data-say": say }, el("p", { class: "intro" }, intro),
      articleList(item.citations, t(lang, "suggested"), lang));
    var more = el("button", { class: "link", type: "button" }, t(lang, "contact_support"));
    more.addEventListener("click", function () { ticketForm(node, item, more); });
    node.appendChild(el("div", { class: "actions" }, el("span", { class: "still" }, t(lang, "still_need_help")), more));
    return node;
  }

  function drawEscalation(item) {
    var lang = item.lang || state.lang;
    /* While the ticket waits for an email nothing is passed on: the server's words say so (`message`); once it
     * is filed, that it is. */
    var opening = item.was_pending ? t(lang, "filed") : item.message ||
      t(lang, item.reference ? "no_answer_filed" : "no_answer");
    var words = opening + (item.reference ? " " + t(lang, "reference", { reference: item.reference }) : "");
    var said = el("span", {}, words);
    var node = el("div", { class: "msg bot notice escalation" }, said);
    var row = el("div", { class: "actions" });
    var more = el("button", { class: "link", type: "button" }, t(lang, item.reference ? "add_details" : "contact_support"));
    more.addEventListener("click", function () { ticketForm(node, item, more); });
    function filed() { /* as a reload shows it */
      said.textContent = t(lang, "filed") + " " + t(lang, "reference", { reference: item.reference });
      keepRefs(said);
      more.textContent = t(lang, "add_details");
      more.hidden = false;
    }
    node.filed = filed;
    var newest = state.items.filter(asksForEmail).pop();
    if (item.pending && !item.reference) {
      more.hidden = true; /* the email form is the way to support here: no second form behind a link */
      if (item === newest || newest === undefined) node.appendChild(contactForm(item, true, filed));
    }
    else if (asksForEmail(item) && item === newest) node.appendChild(contactForm(item, false, filed)); /* a known incident offers "notify me" instead */
    row.append(more);
    node.appendChild(row);
    return node;
  }

  function feedbackRow(item) {
    var lang = item.lang || state.lang, row = el("div", { class: "actions" });
    var yes = el("button", { class: "chip", type: "button", "aria-label": t(lang, "helpful"), "aria-pressed": String(item.vote === true) });
    var no = el("button", { class: "chip", type: "button", "aria-label": t(lang, "not_helpful"), "aria-pressed": String(item.vote === false) });
    yes.innerHTML = THUMB;
    no.innerHTML = THUMB.replace("<svg ", '<svg style="transform:rotate(180deg)" ');
    var help = el("button", { class: "link", type: "button" }, t(lang, "still_need_help"));
    row.append(el("span", {}, t(lang, "was_helpful")), yes, no, help);
    yes.addEventListener("click", function () { vote(item, true, null, null, row); });
    no.addEventListener("click", function () { reasonForm(item, row, no); });
    help.addEventListener("click", function () { ticketForm(row.parentNode, item, help); });
    if (item.vote !== undefined && item.vote !== null) row.appendChild(el("span", { class: "thanks" }, t(lang, "thanks_feedback")));
    return row;
  }

  function reasonForm(item, row, trigger) {
    if (row.parentNode.querySelector(".why")) return;
    var lang = item.lang || state.lang;
    var box = el("form", { class: "sub why", "aria-label": t(lang, "feedback") });
    var select = el("select", { id: "aw-why-" + item.interaction_id, name: "reason", required: "" });
    select.appendChild(el("option", { value: "", disabled: "", selected: "" }, t(lang, "choose_reason")));
    REASONS.forEach(function (r) { select.appendChild(el("option", { value: r }, t(lang, "reason_" + r))); });
    var comment = el("textarea", { id: "aw-comment-" + item.interaction_id, name: "comment", rows: "2", maxlength: "2000" });
    var submit = el("button", { class: "primary", type: "submit" }, t(lang, "send_feedback"));
    box.append(el("label", { for: select.id }, t(lang, "what_went_wrong")), select,
      el("label", { for: comment.id }, t(lang, "anything_else")), comment, el("div", { class: "row" }, submit));
    box.addEventListener("submit", function (event) {
      event.preventDefault();
      vote(item, false, select.value, comment.value.trim() || null, row, box, trigger);
    });
    row.after(box);
    select.focus();
  }

  function vote(item, helpful, reason, comment, row, box, trigger) {
    var body = { interaction_id: item.interaction_id, helpful: helpful, session_id: state.session_id };
    if (reason) body.reason = reason;
    if (comment) body.comment = comment;
    request("/v1/feedback", body).then(function () {
      item.vote = helpful;
      save();
      var fresh = feedbackRow(item);
      row.replaceWith(fresh);
      if (box) box.remove();
      announce(t(item.lang || state.lang, "thanks_feedback"));
      var next = helpful ? fresh.querySelector(".chip") : fresh.querySelector(".link");
      if (next) next.focus();
    }).catch(function (error) { showError(error, trigger || row); });
  }

  function ticketForm(anchor, item, trigger) {
    if (anchor.querySelector(".ticket-form")) return;
    var lang = item.lang || state.lang;
    var id = "aw-t-" + (item.interaction_id || Date.now());
    var box = el("form", { class: "sub ticket-form", "aria-label": t(lang, "contact_support") });
    var question = el("textarea", { id: id + "-q", name: "question", rows: "3", required: "", maxlength: "4000" });
    question.value = item.question || "";
    var email = emailInput(id + "-e", lang);
    email.value = state.email || "";
    var name = el("input", { id: id + "-n", name: "name", type: "text", autocomplete: "name" });
    name.value = state.name || "";
    var message = el("textarea", { id: id + "-m", name: "message", rows: "3", maxlength: "4000" });
    if (item.vote === false) message.value = t(lang, "didnt_help");
    var submit = el("button", { class: "primary", type: "submit" }, t(lang, "send_to_support"));
    var cancel = el("button", { class: "secondary", type: "button" }, t(lang, "cancel"));
    box.append(el("label", { for: question.id }, t(lang, "question")), question,
      el("label", { for: email.id }, t(lang, "email")), email, el("label", { for: name.id }, t(lang, "name")), name,
      el("label", { for: message.id }, t(lang, "message")), message,
      el("div", { class: "row" }, cancel, submit));
    cancel.addEventListener("click", function () { box.remove(); trigger.focus(); });
    box.addEventListener("submit", function (event) {
      event.preventDefault();
      submit.disabled = true;
      state.email = email.value.trim();
      state.name = name.value.trim();
      var body = { session_id: state.session_id, question: question.value.trim(),
        customer: { email: state.email || null, name: state.name || null } };
      if (item.interaction_id) body.interaction_id = item.interaction_id;
      if (message.value.trim()) body.message = message.value.trim();
      request("/v1/escalate", body).then(function (response) { return response.json(); }).then(function (ticket) {
        box.remove();
        pushAfter(item, { kind: "ticket", reference: ticket.reference, email: state.email, lang: lang });
        input.focus();
      }).catch(function (error) { submit.disabled = false; showError(error, box); });
    });
    anchor.appendChild(box);
    question.focus();
  }

  /* "New conversation": forget the session and the transcript. Tickets stay: "Your requests" lists those of every
   * conversation this browser had (and of the customer the key vouches for). */
  function newConversation() {
    requestsSeq++; /* a "Your requests" still loading belongs to the conversation being left */
    state.session_id = null;
    state.items = [];
    state.declined = false;
    save();
    render();
    announce(t(state.lang, "started"));
    input.focus();
  }

  /* Keep a session this browser talked in, newest first (at most 20), for "Your requests". */
  function remember(sessionId) {
    if (!sessionId) return;
    state.sessions = [sessionId].concat(state.sessions.filter(function (s) { return s !== sessionId; })).slice(0, 20);
    save();
  }

  /* "Your requests": the caller's own tickets and where they stand (GET /v1/session/tickets, the id in a header). Only the
   * newest look is shown: an older, slower answer (clicked twice, or before "New conversation") is dropped. */
  var requestsSeq = 0;
  function showRequests() {
    var mine = ++requestsSeq;
    log.querySelectorAll(".requests-view").forEach(function (old) { old.remove(); });
    var lang = state.lang;
    var box = el("div", { class: "msg bot requests-view", role: "region", "aria-label": t(lang, "requests") });
    log.appendChild(box);
    var sessions = [state.session_id].concat(state.sessions).filter(function (s, n, all) {
      return s && all.indexOf(s) === n;
    });
    var failed = null;
    var shown = Promise.all(sessions.map(function (id) {
      return get("/v1/session/tickets", { "X-Session-Id": id }).then(function (r) { return r.json(); })
        .catch(function (error) { failed = failed || error; return null; }); /* an expired conversation: skip it */
    })).then(function (lists) {
      var found = lists.filter(Boolean);
      if (sessions.length && !found.length) throw failed;
      var byReference = {};
      found.forEach(function (list) { list.forEach(function (ticket) { byReference[ticket.reference] = ticket; }); });
      return Object.keys(byReference).map(function (r) { return byReference[r]; }).sort(function (a, b) {
        return a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0;
      });
    });
    shown.then(function (tickets) {
      if (mine !== requestsSeq || !box.isConnected) return;
      box.append(el("strong", {}, t(lang, "requests")));
      if (!tickets.length) box.append(el("p", {}, t(lang, "no_requests")));
      else box.append(tickets.reduce(function (list, ticket) { list.append(requestItem(ticket, lang)); return list; },
        el("ul", { class: "requests" })));
      showStart(box);
      announce(box.textContent);
    }).catch(function (error) {
      if (mine !== requestsSeq || !box.isConnected) return;
      box.remove();
      push({ kind: "error", text: friendly(error), lang: lang });
    });
  }

  function requestItem(ticket, lang) {
    var status = t(lang, "status_ticket_" + ticket.status);
    var li = el("li", {}, el("span", { class: "ref" }, ticket.reference),
      text(" · " + (status.indexOf("status_ticket_") === 0 ? ticket.status : status) + " · " + ticket.subject));
    li.append(el("span", { class: "date" }, t(lang, "updated", { date: niceDate(ticket.updated_at, lang) })));
    if (ticket.message) li.append(el("span", { class: "date" }, t(lang, "latest_note", { note: ticket.message })));
    return li;
  }

  function get(path, headers) {
    return fetch(API + path, { headers: Object.assign({ "X-API-Key": KEY }, headers) }).then(function (response) {
      if (response.ok) return response;
      return response.json().catch(function () { return {}; }).then(function (problem) {
        throw failure(response.status, problem.detail);
      });
    });
  }

  function refusedOrigin(error) {
    return !!(error && error.status === 403 && /origin/i.test(error.detail || ""));
  }

  /* A long reply opens at its start (the customer reads from the top), a short one at the bottom of the log. */
  function showStart(node) {
    if (node.offsetHeight <= log.clientHeight) { scroll(); return; }
    log.scrollTop += node.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
  }

  /* Nobody can reply to the customer yet. Before the ticket is filed (pending: the server waits for this answer) the
   * email files it, and "Continue without email" files it flagged as having no contact; after (an older ticket
   * without contact) the email is added to it. */
  function contactForm(item, pending, filed) {
    var lang = item.lang || state.lang;
    var id = "aw-c-" + item.interaction_id;
    var box = el("form", { class: "sub contact-form" + (pending ? " pending" : ""), "aria-label": t(lang, "email_form") });
    box.filed = filed;
    var email = emailInput(id, lang);
    email.value = state.email || "";
    var submit = el("button", { class: "primary", type: "submit" }, t(lang, pending ? "send_to_support" : "send_email"));
    var row = el("div", { class: "row" });
    if (pending) {
      var skip = el("button", { class: "secondary", type: "button" }, t(lang, "continue_without"));
      skip.addEventListener("click", function () { file(null); });
      row.append(skip);
    }
    row.append(submit);
    box.append(el("label", { for: id }, t(lang, "reach_you")), email, row);
    box.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!email.checkValidity()) { email.reportValidity(); return; }
      state.email = email.value.trim();
      file(state.email);
    });
    function file(address) {
      box.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      var body = { session_id: state.session_id, interaction_id: item.interaction_id };
      if (!pending) body.question = item.question;
      if (address) body.customer = { email: address };
      request("/v1/escalate", body).then(function (response) { return response.json(); }).then(function (ticket) {
        item.reference = ticket.reference;
        item.was_pending = item.was_pending || pending;
        item.pending = false;
        item.contact_needed = false; /* answered, with an email or without: not asked again for this reply */
        item.contact = address;
        if (!address) state.declined = true; /* "continue without email": not asked again in this conversation */
        box.remove();
        filed();
        settleWaiting(ticket.reference, address);
        pushAfter(item, { kind: "ticket", reference: ticket.reference, email: address, no_contact: !ticket.has_contact,
          lang: lang });
        input.focus();
      }).catch(function (error) {
        box.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        showError(error, box);
      });
    }
    return box;
  }

  /* POST /v1/escalate files every escalation of the session still waiting for an email (and an email given is the
   * ticket's): their messages say so, their forms go. */
  function settleWaiting(reference, address) {
    var settled = state.items.filter(function (other) {
      return other.kind === "escalated" && ((other.pending && !other.reference) ||
        (address && other.reference === reference && !other.contact));
    });
    settled.forEach(function (other) {
      other.was_pending = other.was_pending || other.pending;
      other.pending = false; other.contact_needed = false; other.reference = reference; other.contact = address;
    });
    save();
    Array.prototype.forEach.call(log.children, function (node) {
      if (settled.indexOf(node.awItem) >= 0 && node.filed) node.filed();
    });
    log.querySelectorAll("form.contact-form").forEach(function (form) { form.remove(); });
  }

  /* Ticket references never break at their hyphen ("T-" / "000003" on a phone): each one in a no-wrap span. */
  function keepRefs(node) {
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT), found = [];
    for (var text = walker.nextNode(); text; text = walker.nextNode()) {
      if (/\bT-\d{4,}/.test(text.data) && !(text.parentNode.classList && text.parentNode.classList.contains("ref"))) found.push(text);
    }
    found.forEach(function (text) {
      var parts = text.data.split(/(\bT-\d{4,}\b)/);
      text.replaceWith.apply(text, parts.map(function (part, n) {
        return n % 2 ? el("span", { class: "ref" }, part) : document.createTextNode(part);
      }));
    });
    return node;
  }

  /* An email field the browser checks as the server will (no "please shorten it" for "name@example"). */
  function emailInput(id, lang) {
    var email = el("input", { id: id, name: "email", type: "email", required: "", autocomplete: "email",
      maxlength: "320", pattern: EMAIL_PATTERN, title: t(lang, "email_hint") });
    email.addEventListener("input", function () { email.setCustomValidity(""); });
    email.addEventListener("invalid", function () {
      if (email.validity.patternMismatch || email.validity.typeMismatch) email.setCustomValidity(t(lang, "bad_email"));
    });
    return email;
  }

  function showError(error, after) {
    var note = el("div", { class: "msg bot error", role: "alert" }, friendly(error));
    after.after(note);
    setTimeout(function () { note.remove(); }, 8000);
  }

  function request(path, body, headers) {
    var all = { "Content-Type": "application/json", "X-API-Key": KEY };
    Object.keys(headers || {}).forEach(function (name) { all[name] = headers[name]; });
    return fetch(API + path, { method: "POST", headers: all, body: JSON.stringify(body) }).then(function (response) {
      if (response.ok) return response;
      return response.json().catch(function () { return {}; }).then(function (problem) {
        throw failure(response.status, problem.detail);
      });
    });
  }

  function failure(status, detail) {
    var error = new Error("HTTP " + status);
    error.status = status;
    error.detail = detail;
    return error;
  }

  function friendly(error) {
    var status = error && error.status, lang = state.lang;
    if (status === 429) return t(lang, "too_fast");
    if (status === 422 && /email/i.test(error.detail || "")) return t(lang, "bad_email");
    if (status === 413 || status === 422) return t(lang, "too_long");
    if (refusedOrigin(error)) return t(lang, "origin");
    if (status === 403 && state.session_id === null) return t(lang, "expired");
    return t(lang, "error");
  }

  function busy(on) {
    send.disabled = on;
    log.setAttribute("aria-busy", String(on));
  }

  function announce(message) {
    live.textContent = "";
    setTimeout(function () { live.textContent = message; }, 50);
  }

  function scroll() { log.scrollTop = log.scrollHeight; }

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE) || "null");
      if (saved && Array.isArray(saved.items)) return saved;
    } catch (ignored) { /* storage blocked or corrupt: start fresh */ }
    return { session_id: null, items: [] };
  }

  function save() {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (ignored) { /* private mode: memory only */ }
  }

  function niceDate(iso, lang) {
    var parts = String(iso).slice(0, 10).split("-");
    var months = t(lang, "months").split(" ");
    if (parts.length !== 3 || months.length !== 12) return iso;
    return t(lang, "date", { day: Number(parts[2]), month: months[Number(parts[1]) - 1], year: parts[0] });
  }

  /* The answer's light Markdown as DOM nodes (markdown.js, served with this script): text only, never HTML. */
  function rich(source) { return MARKDOWN.render(source); }
  function plain(source) { return MARKDOWN.plain(source); }
  function safeUrl(url) { return MARKDOWN.safeUrl(url); }

  function el(tag, attrs, content) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (typeof content === "string") node.textContent = content;
    else if (content) node.append.apply(node, Array.prototype.slice.call(arguments, 2));
    return node;
  }

  function text(value) { return document.createTextNode(value); }
})();
