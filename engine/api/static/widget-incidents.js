/* The widget's incident parts (docs/incidents.md): a banner while an active status-page incident affects the
 * page's product area (GET /v1/incidents, polled), the notice an answer leads with, and "Notify me when it's fixed".
 * Served by the /widget.js route inside the widget's closure; widget.js passes its own helpers in.
 *   var incidents = answerIncidents({ el: el, get: get, request: request, safeUrl: safeUrl, session: fn,
 *                                     t: fn, lang: fn, emailPattern: "…", area: "Sync, Login & SSO", every: 60 });
 * Its words come from deps.t(lang, key, values) (engine/dialogue/widget.toml): a notice in the language of its
 *   panel.append(head, incidents.banner, log);   node.prepend(incidents.notice(item));
 * Its words come from deps.t(lang, key, values) (engine/dialogue/widget.toml): a notice in the language of its
 * reply (`item.lang`), the banner in the widget's current language (deps.lang()). */
function answerIncidents(deps) {
  "use strict";
  var el = deps.el, t = deps.t;
  var AREA = String(deps.area || "").split(",").map(function (s) { return s.trim().toLowerCase(); })
    .filter(Boolean);
  var STATUSES = ["investigating", "identified", "monitoring", "in_progress", "verifying"];
  var last = null; /* the feed's last state, to word the banner again in another language */

  function status(lang, value) { return STATUSES.indexOf(value) >= 0 ? t(lang, value) : value; }

  /* A scheduled maintenance's planned end, in the reader's own time ("until 11:00"). */
  function until(lang, at) {
    if (!at) return "";
    var end = new Date(at);
    return isNaN(end) ? "" : " " + t(lang, "until", { time: end.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) });
  }
  var CSS = [
    ".incident-banner{padding:8px 14px;background:#fff4e5;border-bottom:1px solid #e8c48f;color:#5c3500;font-size:13px;}",
    ".incident-banner[hidden]{display:none;}.incident-banner p{margin:0;}.incident-banner a{color:#5c3500;font-weight:600;}",
    ".incident{margin:0 0 8px;padding:8px 10px;border-left:4px solid #c26b00;background:#fff8ef;border-radius:6px;",
    "  white-space:normal;}.incident strong{display:block;font-weight:700;}.incident p{margin:4px 0 0;}",
    ".incident .age{color:#5c3500;font-style:italic;}.affected{display:block;color:#8a4b00;font-size:12px;}"
  ].join("\n");
  var banner = el("div", { class: "incident-banner", role: "region", hidden: "" });

  function inArea(incident) {
    if (!AREA.length) return true;
    return (incident.components || []).some(function (c) {
      return AREA.indexOf(c.name.toLowerCase()) >= 0 || AREA.indexOf(String(c.id).toLowerCase()) >= 0;
    });
  }

  function showBanner(state) {
    var lang = deps.lang();
    last = state;
    var shown = (state.incidents || []).filter(inArea);
    banner.hidden = !shown.length;
    banner.setAttribute("aria-label", t(lang, "service_status"));
    banner.replaceChildren.apply(banner, shown.map(function (i) {
      var what = i.impact === "maintenance" ? t(lang, "maintenance") + ": " : "⚠ ";
      var line = el("p", {}, what + i.name + " — " + status(lang, i.status) + until(lang, i.scheduled_until) + ". ");
      var link = i.shortlink || state.page_url;
      if (link) line.append(el("a", { href: deps.safeUrl(link), target: "_blank", rel: "noopener" }, t(lang, "status_page")));
      return line;
    }));
  }

  /* The widget's language changed (a reply in another language): word the banner in it. */
  function relabel() {
    if (last) showBanner(last);
    else banner.setAttribute("aria-label", t(deps.lang(), "service_status"));
  }

  function poll() {
    deps.get("/v1/incidents").then(function (r) { return r.json(); }).then(showBanner).catch(function () { /* keep the last banner: a blip is no news */ })
      .then(function () { setTimeout(poll, Math.max(1, Number(deps.every) || 60) * 1000); });
  }

  function age(lang, seconds) {
    var units = [["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var n = 0; n < units.length; n++) {
      if (seconds >= units[n][1]) {
        var count = Math.floor(seconds / units[n][1]);
        return t(lang, units[n][0] + (count === 1 ? "" : "s"), { n: count });
      }
    }
    return t(lang, "seconds", { n: Math.floor(seconds) });
  }

  /* The notice block an answer (or a known_incident escalation) leads with; `item.incident` is the reply's, or with
   * `item.early` the stream's `notice` event, shown before the answer's first piece. */
  function notice(item) {
    var i = item.incident, lang = item.lang || deps.lang();
    var label = t(lang, i.impact === "maintenance" ? "maintenance" : "known_issue");
    var box = el("div", { class: "incident", role: "note", "aria-label": label, lang: lang },
      el("strong", {}, label + ": " + i.title), el("p", {}, status(lang, i.status) + until(lang, i.until) + "."));
    if (i.latest_update) box.append(el("p", {}, t(lang, "latest_update", { text: i.latest_update })));
    var follow = el("p", {}, t(lang, "we_will_update") + " ");
    if (i.link) follow.append(el("a", { href: deps.safeUrl(i.link), target: "_blank", rel: "noopener" }, t(lang, "follow")));
    box.append(follow);
    if (i.stale && i.age_s !== null) {
      box.append(el("p", { class: "age" }, t(lang, "stale_status", { age: age(lang, i.age_s) })));
    }
    if (item.notified) box.append(el("p", { class: "done" }, t(lang, "will_email", { email: item.notified })));
    else if (!item.early) box.append(notifyButton(item, box, lang));  /* early: shown while the answer streams, no reply yet */
    return box;
  }

  function notifyButton(item, box, lang) {
    var button = el("button", { class: "link", type: "button" }, t(lang, "notify_me"));
    button.addEventListener("click", function () {
      var form = el("form", { class: "sub", "aria-label": t(lang, "notify_me") });
      var input = el("input", { id: "aw-notify-" + item.interaction_id, type: "email", required: "", autocomplete: "email",
        pattern: deps.emailPattern, title: t(lang, "email_hint") });
      var send = el("button", { class: "primary", type: "submit" }, t(lang, "notify"));
      form.append(el("label", { for: input.id }, t(lang, "email")), input, el("div", { class: "row" }, send));
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        send.disabled = true;
        var body = { email: input.value.trim(), interaction_id: item.interaction_id };
        if (deps.session()) body.session_id = deps.session();
        deps.request("/v1/incidents/" + encodeURIComponent(item.incident.incident_id) + "/notify", body)
          .then(function () { item.notified = body.email; deps.saved(); form.replaceWith(el("p", { class: "done" },
            t(lang, "thanks_will_email", { email: body.email }))); })
          .catch(function (error) { send.disabled = false; deps.failed(error, form); });
      });
      button.replaceWith(form);
      input.focus();
    });
    return button;
  }

  /* The answer's sources, each an incident affects marked: its steps may not work until the incident is fixed. */
  function mark(list, citations, lang) {
    Array.prototype.forEach.call(list.querySelectorAll("li"), function (li, n) {
      if (citations[n] && citations[n].affected) li.append(el("span", { class: "affected" }, t(lang, "affected")));
    });
    return list;
  }

  function start() { poll(); }

  return { css: CSS, banner: banner, notice: notice, mark: mark, start: start, relabel: relabel };
}
