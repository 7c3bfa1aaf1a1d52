/* Dashboard: containment and helpful rate per day, escalations by reason, content gaps and stale articles still
 * being hit, from GET /v1/metrics (docs/metrics.md defines each number). */
(function () {
  "use strict";
  var S = window.Staff, C = window.Charts, el = S.el, main = document.getElementById("main");
  var BLUE = "#1a56c4", GREEN = "#137333", ORANGE = "#b35c00", RED = "#b42318";
  var end = null;

  S.signIn(main, function () { show(30); });

  function show(days) {
    var range = el("select", { id: "range" });
    [[7, "Last 7 days"], [30, "Last 30 days"], [90, "Last 90 days"]].forEach(function (o) {
      range.append(el("option", { value: o[0] }, o[1]));
    });
    range.value = String(days);
    range.addEventListener("change", function () { show(Number(range.value)); });
    var body = el("div", { id: "metrics", "aria-live": "polite" }, el("p", { class: "muted" }, "Loading…"));
    main.replaceChildren(el("div", { class: "row", style: "justify-content:space-between;margin:0 0 1rem" },
      el("h1", { style: "margin:0" }, "How self-service is doing"),
      el("div", { class: "field" }, el("label", { for: "range" }, "Period"), range)), body);
    var query = end ? "?from=" + encodeURIComponent(since(days)) + "&to=" + encodeURIComponent(end) : "";
    S.api("/v1/metrics" + query)
      .then(function (m) { end = end || m.end; body.replaceChildren.apply(body, view(m)); })
      .catch(function (error) { body.replaceChildren(el("p", { class: "error", role: "alert" }, S.problem(error))); });
  }

  /* Periods end at the server's "now" (its clock, learnt from the first answer), not the browser's. */
  function since(days) {
    return new Date(Date.parse(end) - days * 86400000).toISOString();
  }

  function view(m) {
    var kpis = el("div", { class: "kpis" },
      kpi("Questions", m.questions), kpi("Containment", S.pct(m.containment.value), ratio(m.containment)),
      kpi("Self-service rate", S.pct(m.self_service.value), ratio(m.self_service)),
      kpi("Helpful", S.pct(m.helpful.value), ratio(m.helpful) + " votes"), kpi("Tickets", m.tickets));
    var labels = m.days.map(function (d) { return d.day; });
    var trend = C.lines(labels, [
      { name: "Containment", color: BLUE, values: m.days.map(function (d) { return d.sessions ? d.contained / d.sessions : null; }) },
      { name: "Helpful", color: GREEN, values: m.days.map(function (d) { return d.votes ? d.helpful / d.votes : null; }) },
      { name: "Answered", color: ORANGE, dash: "6 5", values: m.days.map(function (d) { return d.questions ? d.answered / d.questions : null; }) }
    ], "Containment, helpful and answered rate per day");
    var reasons = Object.keys(m.escalations).map(function (r) { return { label: r.replace(/_/g, " "), value: m.escalations[r].value || 0 }; })
      .sort(function (a, b) { return b.value - a.value; });
    var gaps = m.content_gaps.slice(0, 8).map(function (g) { return { label: g.examples[0] || "?", value: g.count }; });
    var stale = m.stale_hits.slice(0, 8).map(function (s) { return { label: s.article_id + " (" + s.state + ")", value: s.count }; });
    var top = m.top_articles.slice(0, 8).map(function (a) { return { label: a.article_id, value: a.count }; });
    return [kpis,
      card("chart-trend", "Containment and helpful rate over time", labels.length ? trend : empty(),
        el("div", { class: "legend" }, key(BLUE, "Containment (sessions without a ticket)"), key(GREEN, "Helpful votes"),
          key(ORANGE, "Answered questions"))),
      el("div", { class: "grid" },
        card("chart-escalations", "Escalations by reason (share of questions)", reasons.length ? C.bars(reasons,
          "Escalations by reason", ORANGE, S.pct) : empty()),
        card("chart-gaps", "Top content gaps (unanswered questions, grouped)", gaps.length ? C.bars(gaps,
          "Top content gaps", RED, String) : empty(), gapList(m.content_gaps.slice(0, 5))),
        card("chart-stale", "Stale articles still being hit", stale.length ? C.bars(stale,
          "Stale articles still being hit", RED, String) : empty("No stale article was hit. 🎉")),
        card("chart-top", "Most cited articles", top.length ? C.bars(top, "Most cited articles", BLUE, String) : empty()))];
  }

  function card(id, title, chart, extra) {
    return el("section", { class: "card", id: id, "aria-labelledby": id + "-t" }, el("h2", { id: id + "-t" }, title), chart, extra);
  }

  function gapList(gaps) {
    if (!gaps.length) return null;
    return el("details", {}, el("summary", {}, "Example questions"), el("ul", {}, gaps.map(function (g) {
      return el("li", {}, g.count + " × ", g.examples.join(" · "));
    })));
  }

  function kpi(name, value, note) { return el("div", { class: "kpi" }, el("b", {}, value), el("span", {}, name), note ? el("div", { class: "muted" }, note) : null); }
  function ratio(rate) { return rate.numerator + " / " + rate.denominator; }
  function key(color, name) { return el("span", {}, el("i", { style: "background:" + color }), name); }
  function empty(text) { return el("p", { class: "muted" }, text || "No data in this period yet."); }
})();
