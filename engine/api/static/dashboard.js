/* Dashboard: containment and helpful rate per day, escalations by reason, content gaps, stale and “not helpful” articles, the
 * holdout's measured deflection (GET /v1/metrics, /v1/feedback; docs/metrics.md defines each number). Every bar and
 * table row drills down to its conversations (GET /v1/conversations); every table downloads as CSV. */
(function () {
  "use strict";
  var S = window.Staff, C = window.Charts, el = S.el, main = document.getElementById("main");
  var BLUE = "#1a56c4", GREEN = "#137333", ORANGE = "#b35c00", RED = "#b42318";
  var end = null, state = { days: "30", locale: "", channel: "", audience: "" };
  var cards = S.loads(), drills = S.loads(); /* newest wins: a filter changed twice, a second bar clicked */
  var audiences = ["public"]; /* the askers' audiences seen so far (each answer's `audiences`): the filter's choices */
  var channels = []; /* the channels (API key names) seen so far: the channel filter suggests them */

  S.signIn(main, function () { show(); });

  function show() {
    var form = el("form", { class: "card filters", "aria-label": "Filters" },
      field("range", "Period", choice("range", [["7", "Last 7 days"], ["30", "Last 30 days"], ["90", "Last 90 days"]], state.days)),
      field("f-locale", "Locale", choice("f-locale", [["", "All"], ["en", "English"], ["de", "German"]], state.locale)),
      field("f-channel", "Channel", channelInput()),
      field("f-audience", "Audience", audienceChoice()));
    form.addEventListener("change", function () {
      state = { days: form.querySelector("#range").value, locale: form.querySelector("#f-locale").value,
        channel: form.querySelector("#f-channel").value.trim(), audience: form.querySelector("#f-audience").value };
      show();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    var body = el("div", { id: "metrics", "aria-live": "polite" }, el("p", { class: "muted" }, "Loading…"));
    main.replaceChildren(el("h1", {}, "How self-service is doing"), form, body);
    var load = cards.start();
    drills.start(); /* the drill-down panel is redrawn empty: an older drill-down must not fill it */
    load("/v1/metrics?" + query()).then(function (m) {
      end = end || m.end;
      learnAudiences(m.audiences || [], form.querySelector("#f-audience"));
      learnChannels(m.channels || [], form.querySelector("#f-channel"));
      return load("/v1/feedback?" + period()).then(function (f) { body.replaceChildren.apply(body, view(m, f).filter(Boolean)); });
    }).catch(function (error) { body.replaceChildren(el("p", { class: "error", role: "alert" }, S.problem(error))); });
  }

  /* Periods end at the server's "now" (its clock, learnt from the first answer), not the browser's. */
  function period() {
    if (!end) return "";
    var start = new Date(Date.parse(end) - Number(state.days) * 86400000).toISOString();
    return "from=" + encodeURIComponent(start) + "&to=" + encodeURIComponent(end);
  }

  /* The period and every filter: for the numbers and for the conversations behind them alike. */
  function query() {
    return [period(), state.locale && "locale=" + state.locale, state.channel && "channel=" + encodeURIComponent(state.channel),
      state.audience && "audience=" + encodeURIComponent(state.audience)].filter(Boolean).join("&");
  }

  function audienceChoice() {
    var names = audiences.indexOf(state.audience) < 0 && state.audience ? audiences.concat([state.audience]) : audiences;
    return choice("f-audience", [["", "All"]].concat(names.map(function (a) { return [a, a]; })), state.audience);
  }

  /* A free-text channel (an API key name) with the names seen so far as suggestions and example. */
  function channelInput() {
    var input = el("input", { id: "f-channel", list: "f-channels", autocomplete: "off", value: state.channel,
      placeholder: channels.length ? "API key name, e.g. " + channels[0] : "API key name (any channel)" });
    return [input, el("datalist", { id: "f-channels" }, channels.map(function (c) { return el("option", { value: c }); }))];
  }

  function learnChannels(seen, input) {
    var fresh = seen.filter(function (c) { return channels.indexOf(c) < 0; });
    if (!fresh.length) return;
    channels = channels.concat(fresh).sort();
    var list = document.getElementById("f-channels");
    list.replaceChildren.apply(list, channels.map(function (c) { return el("option", { value: c }); }));
    input.setAttribute("placeholder", "API key name, e.g. " + channels[0]);
  }

  function learnAudiences(seen, select) {
    var fresh = seen.filter(function (a) { return audiences.indexOf(a) < 0; });
    if (!fresh.length) return;
    audiences = audiences.concat(fresh).sort();
    select.replaceWith(audienceChoice());
  }

  function view(m, f) {
    var kpis = el("div", { class: "kpis" },
      kpi("Questions", m.questions), containment(m),
      kpi("Self-service rate", S.pct(m.self_service.value), ratio(m.self_service)),
      kpi("Helpful", S.pct(m.helpful.value), ratio(m.helpful) + " votes"), kpi("Tickets", m.tickets), confirmKpi(m));
    var pending = m.sessions_pending ? el("p", { class: "muted", id: "pending" }, m.sessions_pending + " session" +
      (m.sessions_pending > 1 ? "s" : "") + " still open — each is judged for containment 24 h after its first " +
      "question; the period's containment is final " + when(m.containment_final_at) + ".") : null;
    return [kpis, pending, trend(m), holdout(m.holdout), incidents(m), el("div", { class: "grid" }, reasons(m), gaps(m),
      conflicts(m), stale(m), thumbsDown(f), top(m)), downvotes(f), el("section", { class: "card", id: "drill", hidden: "" })];
  }

  /* Containment of the judged sessions; while none is judged yet, the provisional figure (sessions without a ticket
   * so far) and when it becomes final, instead of a bare "—". */
  function containment(m) {
    var final = m.containment, early = m.containment_provisional || { numerator: 0, denominator: 0, value: null };
    if (final.denominator || !early.denominator) return kpi("Containment", S.pct(final.value), ratio(final) + " sessions judged");
    return el("div", { class: "kpi", id: "containment-provisional" }, el("b", {}, S.pct(early.value)),
      el("span", {}, "Containment (provisional)"),
      el("div", { class: "muted" }, ratio(early) + " sessions without a ticket so far; final " + when(m.containment_final_at)));
  }

  function when(iso) { return iso ? "on " + iso.slice(0, 16).replace("T", " ") + " UTC" : "now"; }

  /* Two articles that seemed to disagree: the help center has the content, it needs a look (not a new article). */
  function conflicts(m) {
    var items = (m.conflicts || []).slice(0, 8).map(function (c) {
      var ids = c.interaction_ids.map(function (id) { return "interaction=" + encodeURIComponent(id); }).join("&");
      var label = c.titles.join(" ↔ ") || "?";
      return { label: label, value: c.count, examples: c.examples.join(" · "), open: drill(ids, "Conflicting articles: " + label) };
    });
    return chartCard("chart-conflicts", "Conflicting articles to review (escalated as a conflict)", items, ORANGE, String,
      ["Articles", "Questions", "Examples"], function (i) { return [i.label, i.value, i.examples]; },
      "No escalation for conflicting articles in this period.");
  }

  /* "Is it one of these?": how often the engine asked, and how often the customer picked an option. */
  function confirmKpi(m) {
    if (!m.confirm_rate) return null;
    var node = kpi("Asked “is it one of these?”", S.pct(m.confirm_rate.value), ratio(m.confirm_rate) + " questions · picked " +
      S.pct(m.pick_rate.value) + " (" + ratio(m.pick_rate) + ")");
    node.id = "kpi-confirm";
    return node;
  }

  function trend(m) {
    var labels = m.days.map(function (d) { return d.day; });
    if (!labels.length) return card("chart-trend", "Containment and helpful rate over time", empty("No questions in this period yet. Rates appear after the first day of traffic."));
    var chart = C.lines(labels, [
      { name: "Containment", color: BLUE, values: m.days.map(function (d) { return d.sessions ? d.contained / d.sessions : null; }) },
      { name: "Helpful", color: GREEN, values: m.days.map(function (d) { return d.votes ? d.helpful / d.votes : null; }) },
      { name: "Answered", color: ORANGE, dash: "6 5", values: m.days.map(function (d) { return d.questions ? d.answered / d.questions : null; }) }
    ], "Containment, helpful and answered rate per day");
    var rows = m.days.map(function (d) { return [d.day, d.questions, d.answered, d.sessions, d.contained, d.votes, d.helpful]; });
    return card("chart-trend", "Containment and helpful rate over time", chart,
      el("div", { class: "legend" }, key(BLUE, "Containment (sessions without a ticket)"), key(GREEN, "Helpful votes"), key(ORANGE, "Answered questions")),
      table("days", ["Day", "Questions", "Answered", "Sessions judged", "Contained", "Votes", "Helpful"], rows, null, true));
  }

  function reasons(m) {
    var items = Object.keys(m.escalations).map(function (r) {
      return { label: r.replace(/_/g, " "), value: m.escalations[r].value || 0, count: m.escalations[r].numerator, open: drill("reason=" + r, "Escalated: " + r.replace(/_/g, " ")) };
    }).sort(function (a, b) { return b.value - a.value; });
    return chartCard("chart-escalations", "Escalations by reason (share of questions)", items, ORANGE, S.pct,
      ["Reason", "Share", "Questions"], function (i) { return [i.label, S.pct(i.value), i.count]; }, "No escalation in this period.");
  }

  function gaps(m) {
    var items = m.content_gaps.slice(0, 8).map(function (g) {
      var ids = g.interaction_ids.map(function (id) { return "interaction=" + encodeURIComponent(id); }).join("&");
      return { label: g.title || g.examples[0] || "?", value: g.count, examples: g.examples.join(" · "), open: drill(ids, "Content gap: " + g.title) };
    });
    return chartCard("chart-gaps", "Content gaps: articles to write (questions they would have answered)", items, RED, String,
      ["Suggested article", "Questions", "Examples"], function (i) { return [i.label, i.value, i.examples]; }, "No unanswered questions to group yet.");
  }

  function stale(m) {
    var items = m.stale_hits.slice(0, 8).map(function (s) {
      return { label: s.title + " (" + s.state.replace("_", " ") + ")", value: s.count, id: s.article_id, open: drill("article=" + encodeURIComponent(s.article_id), "Stale article: " + s.title) };
    });
    return chartCard("chart-stale", "Stale articles still being hit", items, RED, String, ["Article", "Questions", "Id"],
      function (i) { return [i.label, i.value, i.id]; }, "No stale article was hit.");
  }

  function thumbsDown(f) {
    var items = f.by_article.slice(0, 8).map(function (a) {
      return { label: a.label, value: a.count, id: a.key, open: drill("voted_down=true&article=" + encodeURIComponent(a.key), "Not helpful: " + a.label) };
    });
    return chartCard("chart-downvoted", "Articles behind “not helpful” answers", items, RED, String, ["Article", "Not helpful votes", "Id"],
      function (i) { return [i.label, i.value, i.id]; }, "No “not helpful” vote in this period.");
  }

  function top(m) {
    var items = m.top_articles.slice(0, 8).map(function (a) {
      return { label: a.title, value: a.count, id: a.article_id, open: drill("article=" + encodeURIComponent(a.article_id), "Cited: " + a.title) };
    });
    return chartCard("chart-top", "Most cited articles", items, BLUE, String, ["Article", "Answers", "Id"],
      function (i) { return [i.label, i.value, i.id]; }, "No answer cited an article yet.");
  }

  function downvotes(f) {
    var rows = f.items.map(function (i) {
      return [i.question, i.reason || "—", i.comment || "—", i.articles.map(function (a) { return a.title; }).join("; "), i.at.slice(0, 16).replace("T", " "), i.session_id || ""];
    });
    return card("feedback", "“Not helpful” answers: what customers said", f.items.length
      ? table("feedback", ["Question", "Reason", "Comment", "Cited articles", "Voted", "Conversation"], rows, function (row) { return row[5]; })
      : empty("No “not helpful” vote in this period."));
  }

  function holdout(h) {
    if (!h) return card("holdout", "Measured deflection (holdout)",
      el("p", { class: "muted", id: "holdout-off" }, "The holdout is off, so deflection is not measured. To turn it on, set ",
        el("code", {}, "ENGINE_HOLDOUT__SHARE=0.05"), " and restart the server: 5 % of new conversations then get search " +
        "results and the ticket form instead of AI answers. This card will then compare how often each group opens a " +
        "ticket within 24 h and show the tickets the AI answers prevent per 100 conversations, with a 95 % confidence " +
        "interval. At 5 % it takes about 50,000 judged conversations to know it within ± 2 per 100; a larger share " +
        "needs fewer."));
    var words = h.deflection === null ? "Not enough judged sessions in both arms yet."
      : h.deflection.toFixed(1) + " tickets prevented per 100 sessions (95 % CI " + h.low.toFixed(1) + " to " + h.high.toFixed(1) + ").";
    var rows = [["Holdout (no AI answer)", h.holdout.sessions, h.holdout.tickets, S.pct(h.holdout.rate)],
      ["AI answers", h.answered.sessions, h.answered.tickets, S.pct(h.answered.rate)]];
    return card("holdout", "Measured deflection (holdout, " + Math.round(h.share * 100) + " % of sessions)", el("p", { id: "deflection" }, words),
      table("holdout", ["Arm", "Sessions judged", "With a ticket", "Ticket rate"], rows),
      el("p", { class: "muted" }, "± " + h.precision + " per 100 needs about " + h.sessions_needed.toLocaleString() + " judged sessions."));
  }

  /* Questions and tickets per status-page incident, and containment inside and outside incidents (docs/incidents.md). */
  function incidents(m) {
    if (!m.incidents.length) return null;
    var inside = m.containment_in_incidents, outside = m.containment_outside_incidents;
    var words = "Containment during incidents " + S.pct(inside.value) + " (" + ratio(inside) + " sessions), outside " +
      S.pct(outside.value) + " (" + ratio(outside) + ").";
    var rows = m.incidents.map(function (i) {
      var after = i.first_question_after_s === null ? "—" : Math.round(i.first_question_after_s / 60) + " min";
      var name = i.title ? i.title + " (" + i.incident_id + ")" : i.incident_id;
      return [name, i.questions, i.contained + " / " + i.sessions, i.tickets, after];
    });
    return card("incidents", "Incidents", el("p", { id: "incident-containment" }, words),
      table("incidents", ["Incident", "Questions", "Contained sessions", "Tickets", "First question after"], rows),
      el("p", {}, el("a", { href: "/agent#incidents" }, "Tickets per active incident")));
  }

  function chartCard(id, title, items, color, format, head, row, none) {
    if (!items.length) return card(id, title, empty(none));
    var rows = items.map(row);
    return card(id, title, C.bars(items, title, color, format), table(id.replace("chart-", ""), head, rows, null, false, items));
  }

  /* A table with its CSV download; `items` (optional) give each row a drill-down button. */
  function table(name, head, rows, session, folded, items) {
    var body = rows.map(function (r, n) {
      var cells = r.map(function (v, i) {
        if (session && i === r.length - 1) return el("td", {}, v ? el("a", { href: "/agent#session/" + encodeURIComponent(v) }, "Open") : "—");
        return el("td", { class: typeof v === "number" ? "num" : null }, String(v));
      });
      if (items) cells.push(el("td", {}, el("button", { type: "button", class: "link", "aria-label": "Conversations: " + r[0] }, "Conversations")));
      var tr = el("tr", {}, cells);
      if (items) tr.querySelector("button").addEventListener("click", items[n].open);
      return tr;
    });
    var grid = el("div", { class: "scroll" }, el("table", { "data-table": name },
      el("thead", {}, el("tr", {}, head.concat(items ? [""] : []).map(function (h) { return el("th", { scope: "col" }, h); }))), el("tbody", {}, body)));
    var download = el("button", { type: "button", class: "link", "data-csv": name }, "Download CSV");
    download.addEventListener("click", function () { save(name + ".csv", [head].concat(rows)); });
    return folded ? el("details", {}, el("summary", {}, "Table"), grid, download) : el("div", {}, grid, download);
  }

  function save(filename, rows) {
    var text = rows.map(function (r) { return r.map(function (v) { return '"' + cell(v).replace(/"/g, '""') + '"'; }).join(","); }).join("\r\n");
    var link = el("a", { download: filename });
    link.href = URL.createObjectURL(new Blob([text + "\r\n"], { type: "text/csv" }));
    document.body.append(link);
    link.click();
    link.remove();
  }

  /* A CSV cell a spreadsheet never runs as a formula (OWASP CSV injection): text starting with = + - @ tab or CR
   * gets a leading apostrophe; numbers stay numbers. */
  function cell(value) {
    var text = String(value);
    return typeof value !== "number" && /^[=+\-@\t\r]/.test(text) ? "'" + text : text;
  }

  function drill(filter, title) {
    return function () {
      var panel = document.getElementById("drill");
      panel.hidden = false;
      panel.replaceChildren(el("h2", { id: "drill-title", tabindex: "-1" }, title), el("p", { class: "muted" }, "Loading…"));
      panel.querySelector("h2").focus();
      drills.start()("/v1/conversations?limit=200&" + [query(), filter].filter(Boolean).join("&")).then(function (turns) {
        var rows = turns.map(function (t) { return [t.question, t.decision, t.reason.replace(/_/g, " "), t.at.slice(0, 16).replace("T", " "), t.session_id || ""]; });
        panel.replaceChildren(panel.querySelector("h2"), rows.length
          ? table("conversations", ["Question", "Decision", "Reason", "Asked", "Conversation"], rows, true)
          : empty("No conversation matches."));
      }).catch(function (error) { panel.replaceChildren(el("p", { class: "error", role: "alert" }, S.problem(error))); });
    };
  }

  function card(id, title) {
    var rest = Array.prototype.slice.call(arguments, 2);
    return el("section", { class: "card", id: id, "aria-labelledby": id + "-t" }, el("h2", { id: id + "-t" }, title), rest);
  }
  function field(id, label, control) { return el("div", { class: "field" }, el("label", { for: id }, label), control); }
  function choice(id, options, chosen) {
    var node = el("select", { id: id });
    options.forEach(function (o) { node.append(el("option", { value: o[0] }, o[1])); });
    node.value = chosen;
    return node;
  }
  function kpi(name, value, note) { return el("div", { class: "kpi" }, el("b", {}, value), el("span", {}, name), note ? el("div", { class: "muted" }, note) : null); }
  function ratio(rate) { return rate.numerator + " / " + rate.denominator; }
  function key(color, name) { return el("span", {}, el("i", { style: "background:" + color }), name); }
  function empty(text) { return el("p", { class: "muted" }, text || "No data in this period yet."); }
})();
