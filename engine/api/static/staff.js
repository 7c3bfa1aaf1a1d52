/* Shared by the agent console and the dashboard: sign in with a staff key (kept in sessionStorage, never in the
 * page), call the API with it, and build DOM safely (text only, no innerHTML with data). */
(function () {
  "use strict";
  var SLOT = "answer-engine-staff-key";
  var MD = answerMarkdown(document);

  /* Every href these pages build goes through one rule: the page's own links (#…, /…) as they are; anything else
   * — URLs from articles, the status feed, the API — only when http(s), by the widget's rule (markdown.js safeUrl),
   * so a javascript: or data: URL never becomes a link. */
  function safeUrl(url) {
    var text = String(url);
    return /^(#|\/(?![\/\\]))/.test(text) ? text : MD.safeUrl(text);
  }

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] === null || attrs[name] === undefined) return;
      node.setAttribute(name, name === "href" ? safeUrl(attrs[name]) : attrs[name]);
    });
    var children = Array.prototype.slice.call(arguments, 2);
    children.flat(2).forEach(function (child) {
      if (child !== null && child !== undefined && child !== "") node.append(child);
    });
    return node;
  }

  /* GET, or POST a JSON body; `options` may name another method, extra headers (PATCH with If-Match) and an
   * AbortSignal (`signal`). */
  function api(path, body, options) {
    var init = { headers: Object.assign({ "X-API-Key": sessionStorage.getItem(SLOT) || "" }, (options || {}).headers) };
    if ((options || {}).signal) init.signal = options.signal;
    if (body !== undefined) {
      init.method = (options || {}).method || "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) return data;
        var error = new Error(data.detail || "request failed (" + response.status + ")");
        error.status = response.status;
        throw error;
      });
    });
  }

  /* One view's loads, newest wins: `var load = loads.start()` aborts the view's older load and returns
   * `load(path, body, options)`, an api() whose promises settle only while no newer start() happened (a superseded
   * load neither renders nor reports an error), and `load.live()`. A filter changed twice, a ticket opened while
   * another was loading, a drill-down clicked twice: only the latest request's result is shown. */
  function loads() {
    var seq = 0, controller = null;
    return { start: function () {
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var mine = ++seq, signal = controller ? controller.signal : undefined;
      function live() { return mine === seq; }
      function load(path, body, options) {
        return api(path, body, Object.assign({}, options, { signal: signal })).then(function (data) {
          return live() ? data : new Promise(function () {});
        }, function (error) {
          if (!live()) return new Promise(function () {});
          throw error;
        });
      }
      load.live = live;
      return load;
    } };
  }

  function problem(error) {
    if (error.status === 401 || error.status === 403) return "Your key was not accepted: " + error.message;
    if (error.status === 409) return "Not saved — " + error.message;
    if (error.status >= 500 || !error.status) return "The service did not answer — try again in a moment.";
    return error.message;
  }

  function signIn(main, start) {
    var bar = document.querySelector(".bar");
    var out = document.getElementById("signout");
    out.addEventListener("click", function () { sessionStorage.removeItem(SLOT); location.reload(); });
    if (sessionStorage.getItem(SLOT)) { out.hidden = false; start(); return; }
    out.hidden = true;
    var key = el("input", { id: "staff-key", type: "password", autocomplete: "off", required: "" });
    var note = el("p", { class: "error", role: "alert" });
    var form = el("form", { class: "card signin", "aria-labelledby": "signin-title" },
      el("h1", { id: "signin-title" }, "Sign in"),
      el("p", { class: "muted" }, "Use your agent or admin API key. It stays in this browser tab only."),
      el("div", { class: "field" }, el("label", { for: "staff-key" }, "Staff API key"), key),
      el("div", { class: "row" }, el("button", { class: "primary", type: "submit" }, "Sign in")), note);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      sessionStorage.setItem(SLOT, key.value.trim());
      api("/v1/tickets?limit=1").then(function () {
        form.remove();
        out.hidden = false;
        start();
      }).catch(function (error) {
        sessionStorage.removeItem(SLOT);
        note.textContent = problem(error);
        key.focus();
      });
    });
    main.replaceChildren(form);
    bar.hidden = false;
    key.focus();
  }

  function pct(value) { return value === null || value === undefined ? "—" : Math.round(value * 100) + "%"; }

  function stateBadge(state) {
    var tone = state === "fresh" ? "good" : state === "due_soon" ? "warn" : "bad";
    return el("span", { class: "badge " + tone }, state.replace("_", " "));
  }

  /* An answer's Markdown rendered as DOM text nodes (markdown.js): **bold** shows bold, <script> shows as text. */
  function markdown(source, attrs) {
    return el("div", Object.assign({ class: "answer md" }, attrs), answerMarkdown(document).render(source));
  }

  window.Staff = { el: el, api: api, loads: loads, problem: problem, signIn: signIn, pct: pct, stateBadge: stateBadge,
    markdown: markdown, safeUrl: safeUrl };
})();
