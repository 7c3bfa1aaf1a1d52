/* Agent console: preview what a customer would get (with every candidate's scores and freshness verdict), and
 * read tickets with their pre-filled context. Routes: #preview, #tickets, #ticket/T-000042. */
(function () {
  "use strict";
  var S = window.Staff, el = S.el, main = document.getElementById("main");
  var last = { question: "", audience: "public", locale: "" };

  S.signIn(main, function () { window.addEventListener("hashchange", route); route(); });

  function route() {
    var hash = location.hash.slice(1) || "preview";
    ["preview", "tickets"].forEach(function (name) {
      var link = document.getElementById("nav-" + name);
      if (hash.indexOf(name === "tickets" ? "ticket" : name) === 0) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    if (hash.indexOf("ticket/") === 0) showTicket(decodeURIComponent(hash.slice(7)));
    else if (hash === "tickets") showTickets();
    else showPreview();
  }

  function showPreview() {
    var question = el("textarea", { id: "pv-question", required: "", placeholder: "Paste a customer question…" });
    question.value = last.question;
    var audience = select("pv-audience", [["public", "Public (everyone)"], ["admins", "Workspace admins"],
      ["enterprise", "Enterprise customers"]], last.audience);
    var locale = select("pv-locale", [["", "Any (detect)"], ["en", "English"], ["de", "German"]], last.locale);
    var result = el("div", { id: "pv-result", "aria-live": "polite" });
    var form = el("form", { class: "card", "aria-labelledby": "pv-title" },
      el("h1", { id: "pv-title" }, "Preview an answer"),
      el("div", { class: "field" }, el("label", { for: "pv-question" }, "Customer question"), question),
      el("div", { class: "row" },
        el("div", { class: "field" }, el("label", { for: "pv-audience" }, "Audience"), audience),
        el("div", { class: "field" }, el("label", { for: "pv-locale" }, "Locale"), locale),
        el("button", { class: "primary", type: "submit" }, "Preview")));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      last = { question: question.value.trim(), audience: audience.value, locale: locale.value };
      result.replaceChildren(el("p", { class: "muted" }, "Asking…"));
      var body = { question: last.question, audience: last.audience };
      if (last.locale) body.locale = last.locale;
      S.api("/v1/preview", body).then(function (data) { result.replaceChildren.apply(result, previewView(data)); })
        .catch(function (error) { result.replaceChildren(el("p", { class: "error", role: "alert" }, S.problem(error))); });
    });
    main.replaceChildren(form, result);
    question.focus();
  }

  function previewView(data) {
    var answered = data.decision === "answer";
    var summary = el("section", { class: "card", id: "pv-summary", "aria-label": "What the customer gets" },
      el("h2", {}, "The customer would get: ",
        el("span", { class: "badge " + (answered ? "good" : "warn"), id: "pv-decision" }, answered ? "an answer" : "an escalation")),
      el("dl", { class: "kv" },
        el("dt", {}, "Confidence"), el("dd", {}, data.confidence.toFixed(2) + " (threshold " + data.threshold.toFixed(2) + ")"),
        el("dt", {}, "Reason"), el("dd", { id: "pv-reason" }, data.reason + (data.detail ? " — " + data.detail : "")),
        el("dt", {}, "Priority"), el("dd", {}, data.priority),
        el("dt", {}, "Flags"), el("dd", {}, data.flags.length ? data.flags.join(", ") : "none"),
        el("dt", {}, "Index"), el("dd", {}, data.generation)),
      answered ? S.markdown(data.answer, { id: "pv-answer" }) : null,
      data.citations.length ? el("p", {}, "Cites: ", data.citations.map(function (c) { return c.title; }).join("; ")) : null);
    var rows = data.candidates.map(function (c) {
      return el("tr", {},
        el("td", {}, el("a", { href: c.url || "#", target: "_blank", rel: "noopener" }, c.title),
          el("div", { class: "muted" }, c.heading)),
        el("td", { class: "num" }, c.bm25.toFixed(3), el("div", { class: "muted" }, rank(c.bm25_rank))),
        el("td", { class: "num" }, c.dense.toFixed(3), el("div", { class: "muted" }, rank(c.dense_rank))),
        el("td", { class: "num" }, c.fused.toFixed(4)),
        el("td", {}, S.stateBadge(c.state), " ", c.eligible ? "" : el("span", { class: "badge bad" }, "not eligible")),
        el("td", { class: "muted" }, c.rule + (c.detail ? ": " + c.detail : "")));
    });
    var table = el("section", { class: "card", "aria-labelledby": "pv-cands" },
      el("h2", { id: "pv-cands" }, "Candidates (" + data.candidates.length + ")"),
      el("table", { id: "pv-candidates" },
        el("thead", {}, el("tr", {}, el("th", {}, "Article"), el("th", { class: "num" }, "BM25"),
          el("th", { class: "num" }, "Dense"), el("th", { class: "num" }, "Fused"), el("th", {}, "Freshness"),
          el("th", {}, "Rule"))),
        el("tbody", {}, rows)));
    return [summary, table];
  }

  function showTickets() {
    main.replaceChildren(el("h1", {}, "Tickets"), el("p", { class: "muted" }, "Loading…"));
    S.api("/v1/tickets?limit=100").then(function (tickets) {
      var rows = tickets.map(function (t) {
        var link = el("a", { href: "#ticket/" + t.reference }, t.reference);
        var row = el("tr", { class: "pick" }, el("td", {}, link), el("td", {}, t.subject),
          el("td", {}, t.reason), el("td", {}, t.priority), el("td", {}, t.status),
          el("td", {}, t.has_contact ? t.customer.email : noContact()), el("td", {}, t.updated_at.slice(0, 16).replace("T", " ")));
        row.addEventListener("click", function () { location.hash = "ticket/" + t.reference; });
        return row;
      });
      main.replaceChildren(el("h1", {}, "Tickets"), el("section", { class: "card" }, tickets.length
        ? el("table", { id: "tickets" }, el("thead", {}, el("tr", {}, el("th", {}, "Reference"), el("th", {}, "Subject"),
          el("th", {}, "Reason"), el("th", {}, "Priority"), el("th", {}, "Status"), el("th", {}, "Customer"),
          el("th", {}, "Updated"))), el("tbody", {}, rows))
        : el("p", { class: "muted" }, "No tickets yet.")));
    }).catch(fail);
  }

  function noContact() {
    return el("span", { class: "badge warn", title: "The customer left no email: nobody can reply yet" }, "no contact");
  }

  function showTicket(reference) {
    main.replaceChildren(el("p", { class: "muted" }, "Loading " + reference + "…"));
    S.api("/v1/tickets/" + encodeURIComponent(reference)).then(function (t) {
      var facts = el("section", { class: "card", id: "ticket-facts" }, el("h1", {}, t.reference + " · " + t.subject),
        el("dl", { class: "kv" },
          el("dt", {}, "Status"), el("dd", {}, t.status + " (version " + t.version + ")"),
          el("dt", {}, "Reason"), el("dd", { id: "ticket-reason" }, t.reason),
          el("dt", {}, "Confidence"), el("dd", {}, t.confidence.toFixed(2)),
          el("dt", {}, "Priority"), el("dd", {}, t.priority),
          el("dt", {}, "Customer"), el("dd", { id: "ticket-customer" },
            [t.customer.name, t.customer.email, t.customer.plan].filter(Boolean).join(" · ") || "—", " ",
            t.has_contact ? "" : noContact()),
          el("dt", {}, "Later reasons"), el("dd", { id: "ticket-later" }, (t.later_reasons || []).map(function (r) {
            return r.reason + " (" + r.at.slice(0, 16).replace("T", " ") + ")";
          }).join("; ") || "—"),
          el("dt", {}, "Category"), el("dd", {}, t.category || "—"),
          el("dt", {}, "Locale"), el("dd", {}, t.locale || "—"),
          el("dt", {}, "Question"), el("dd", {}, t.question),
          el("dt", {}, "Message"), el("dd", {}, t.message || "—"),
          el("dt", {}, "Delivery"), el("dd", {}, t.deliveries.length ? t.deliveries.map(delivery).join("; ") : "not configured")));
      var transcript = el("section", { class: "card", id: "ticket-transcript", "aria-labelledby": "tt" },
        el("h2", { id: "tt" }, "Transcript"), t.transcript.map(turn));
      var seen = el("section", { class: "card", id: "ticket-articles", "aria-labelledby": "ta" },
        el("h2", { id: "ta" }, "Articles the customer saw"), t.articles.length ? el("table", {},
          el("thead", {}, el("tr", {}, el("th", {}, "Article"), el("th", {}, "Version"), el("th", { class: "num" }, "Score"),
            el("th", {}, "Cited"))),
          el("tbody", {}, t.articles.map(function (a) {
            return el("tr", {}, el("td", {}, el("a", { href: a.url || "#", target: "_blank", rel: "noopener" }, a.title)),
              el("td", {}, a.version), el("td", { class: "num" }, a.score.toFixed(3)), el("td", {}, a.cited ? "yes" : "no"));
          }))) : el("p", { class: "muted" }, "None."));
      main.replaceChildren(el("p", {}, el("a", { href: "#tickets" }, "← All tickets")), facts, transcript, seen);
      main.focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }).catch(fail);
  }

  function turn(t) {
    return el("div", { class: "turn" },
      el("p", {}, el("strong", {}, "Customer: "), t.question),
      el("p", {}, el("span", { class: "badge " + (t.decision === "answer" ? "good" : "warn") }, t.decision), " ",
        el("span", { class: "muted" }, t.reason + " · confidence " + t.confidence.toFixed(2) + " · " + t.at.slice(0, 16).replace("T", " "))),
      t.answer ? S.markdown(t.answer) : null);
  }

  function delivery(d) { return d.target + ": " + (d.delivered_at ? "delivered" : d.last_error ? "failing (" + d.last_error + ")" : "pending"); }
  function rank(value) { return value === null ? "not ranked" : "rank " + value; }
  function fail(error) { main.replaceChildren(el("p", { class: "error", role: "alert" }, S.problem(error))); }

  function select(id, options, chosen) {
    var node = el("select", { id: id });
    options.forEach(function (o) { node.append(el("option", { value: o[0] }, o[1])); });
    node.value = chosen;
    return node;
  }
})();
