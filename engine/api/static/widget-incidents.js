/* The widget's incident parts (docs/incidents.md): a banner while an active status-page incident affects the
 * page's product area (GET /v1/incidents, polled), the notice an answer leads with, and "Notify me when it's fixed".
 * Served by the /widget.js route inside the widget's closure; widget.js passes its own helpers in.
 *   var incidents = answerIncidents({ el: el, get: get, request: request, safeUrl: safeUrl, session: fn,
 *                                     area: "Sync, Login & SSO", every: 60 });
 *   panel.append(head, incidents.banner, log);   node.prepend(incidents.notice(item));  */
function answerIncidents(deps) {
  "use strict";
  var el = deps.el;
  var AREA = String(deps.area || "").split(",").map(function (s) { return s.trim().toLowerCase(); })
    .filter(Boolean);
  var STATUS = { investigating: "We are investigating", identified: "The cause is identified",
    monitoring: "A fix is in place and being monitored", in_progress: "Maintenance in progress",
    verifying: "Maintenance finished, being verified" };

  /* A scheduled maintenance's planned end, in the reader's own time ("until 11:00"). */
  function until(at) {
    if (!at) return "";
    var end = new Date(at);
    return isNaN(end) ? "" : " until " + end.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  var CSS = [
    ".incident-banner{padding:8px 14px;background:#fff4e5;border-bottom:1px solid #e8c48f;color:#5c3500;font-size:13px;}",
    ".incident-banner[hidden]{display:none;}.incident-banner p{margin:0;}.incident-banner a{color:#5c3500;font-weight:600;}",
    ".incident{margin:0 0 8px;padding:8px 10px;border-left:4px solid #c26b00;background:#fff8ef;border-radius:6px;",
    "  white-space:normal;}.incident strong{display:block;font-weight:700;}.incident p{margin:4px 0 0;}",
    ".incident .age{color:#5c3500;font-style:italic;}.affected{display:block;color:#8a4b00;font-size:12px;}"
  ].join("\n");
  var banner = el("div", { class: "incident-banner", role: "region", "aria-label": "Service status", hidden: "" });

  function inArea(incident) {
    if (!AREA.length) return true;
    return (incident.components || []).some(function (c) {
      return AREA.indexOf(c.name.toLowerCase()) >= 0 || AREA.indexOf(String(c.id).toLowerCase()) >= 0;
    });
  }

  function showBanner(state) {
    var shown = (state.incidents || []).filter(inArea);
    banner.hidden = !shown.length;
    banner.replaceChildren.apply(banner, shown.map(function (i) {
      var what = i.impact === "maintenance" ? "Scheduled maintenance: " : "⚠ ";
      var line = el("p", {}, what + i.name + " — " + (STATUS[i.status] || i.status) + until(i.scheduled_until) + ". ");
      var link = i.shortlink || state.page_url;
      if (link) line.append(el("a", { href: deps.safeUrl(link), target: "_blank", rel: "noopener" }, "Status page"));
      return line;
    }));
  }

  function poll() {
    deps.get("/v1/incidents").then(function (r) { return r.json(); }).then(showBanner).catch(function () { /* keep the last banner: a blip is no news */ })
      .then(function () { setTimeout(poll, Math.max(1, Number(deps.every) || 60) * 1000); });
  }

  function age(seconds) {
    var units = [["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var n = 0; n < units.length; n++) {
      if (seconds >= units[n][1]) {
        var count = Math.floor(seconds / units[n][1]);
        return count + " " + units[n][0] + (count === 1 ? "" : "s");
      }
    }
    return Math.floor(seconds) + " seconds";
  }

  /* The notice block an answer (or a known_incident escalation) leads with; `item.incident` is the reply's, or with
   * `item.early` the stream's `notice` event, shown before the answer's first piece. */
  function notice(item) {
    var i = item.incident;
    var label = i.impact === "maintenance" ? "Scheduled maintenance" : "Known issue";
    var box = el("div", { class: "incident", role: "note", "aria-label": label },
      el("strong", {}, label + ": " + i.title), el("p", {}, (STATUS[i.status] || i.status) + until(i.until) + "."));
    if (i.latest_update) box.append(el("p", {}, "Latest update: " + i.latest_update));
    var follow = el("p", {}, "We'll update here as soon as it is fixed. ");
    if (i.link) follow.append(el("a", { href: deps.safeUrl(i.link), target: "_blank", rel: "noopener" }, "Follow it on our status page"));
    box.append(follow);
    if (i.stale && i.age_s !== null) {
      box.append(el("p", { class: "age" }, "Status as of " + age(i.age_s) + " ago: the status page could not be reached since."));
    }
    if (item.notified) box.append(el("p", { class: "done" }, "We'll email " + item.notified + " when it's fixed."));
    else if (!item.early) box.append(notifyButton(item, box));  /* early: shown while the answer streams, no reply yet */
    return box;
  }

  function notifyButton(item, box) {
    var button = el("button", { class: "link", type: "button" }, "Notify me when it's fixed");
    button.addEventListener("click", function () {
      var form = el("form", { class: "sub", "aria-label": "Notify me when it's fixed" });
      var input = el("input", { id: "aw-notify-" + item.interaction_id, type: "email", required: "", autocomplete: "email" });
      var send = el("button", { class: "primary", type: "submit" }, "Notify me");
      form.append(el("label", { for: input.id }, "Email"), input, el("div", { class: "row" }, send));
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        send.disabled = true;
        var body = { email: input.value.trim(), interaction_id: item.interaction_id };
        if (deps.session()) body.session_id = deps.session();
        deps.request("/v1/incidents/" + encodeURIComponent(item.incident.incident_id) + "/notify", body)
          .then(function () { item.notified = body.email; deps.saved(); form.replaceWith(el("p", { class: "done" },
            "Thanks — we'll email " + body.email + " when it's fixed.")); })
          .catch(function (error) { send.disabled = false; deps.failed(error, form); });
      });
      button.replaceWith(form);
      input.focus();
    });
    return button;
  }

  /* The answer's sources, each an incident affects marked: its steps may not work until the incident is fixed. */
  function mark(list, citations) {
    Array.prototype.forEach.call(list.querySelectorAll("li"), function (li, n) {
      if (citations[n] && citations[n].affected) li.append(el("span", { class: "affected" }, "May not work until the issue above is fixed"));
    });
    return list;
  }

  function start() { poll(); }

  return { css: CSS, banner: banner, notice: notice, mark: mark, start: start };
}
