/* Agent console: preview what a customer would get (with every candidate's scores and freshness verdict), and
 * read tickets with their pre-filled context. Routes: #preview, #tickets, #ticket/T-000042, #incidents (active
 * status-page incidents, each with its linked tickets). */
(function () {
  "use strict";
  var S = window.Staff, el = S.el, main = document.getElementById("main");
  var last = { question: "", audience: "public", locale: "" };
  var view = S.loads(); /* the main view's loads: a newer one (another filter, ticket or page) supersedes the older */

  S.signIn(main, function () { window.addEventListener("hashchange", route); route(); });

  function route() {
    view.start(); /* whatever the previous page was still loading is dropped */
    var hash = location.hash.slice(1) || "preview";
    ["preview", "tickets", "incidents"].forEach(function (name) {
      var link = document.getElementById("nav-" + name);
      if (hash.indexOf(name === "tickets" ? "ticket" : name) === 0) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    if (hash.indexOf("ticket/") === 0) showTicket(decodeURIComponent(hash.slice(7)));
    else if (hash.indexOf("session/") === 0) showSession(decodeURIComponent(hash.slice(8)));
    else if (hash === "tickets") showTickets();
    else if (hash === "incidents") showIncidents();
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
      view.start()("/v1/preview", body).then(function (data) { result.replaceChildren.apply(result, previewView(data)); })
        .catch(function (error) { result.replaceChildren(el("p", { class: "error", role: "alert" }, S.problem(error))); });
    });
    main.replaceChildren(form, result);
    question.focus();
  }

  function previewView(data) {
    var answered = data.decision === "answer";
    var summary = el("section", { class: "card", id: "pv-summary", "aria-label": "What the customer gets" },
      el("h2", {}, "The customer would get: ",
        decisionBadge(data)),
      el("dl", { class: "kv" },
        el("dt", {}, "Confidence"), el("dd", {}, data.confidence.toFixed(2) + " (threshold " + data.threshold.toFixed(2) + confirmBand(data) + ")"),
        el("dt", {}, "Reason"), el("dd", { id: "pv-reason" }, data.reason + (data.detail ? " — " + data.detail : "")),
        el("dt", {}, "Priority"), el("dd", {}, data.priority),
        el("dt", {}, "Flags"), el("dd", {}, data.flags.length ? data.flags.join(", ") : "none"),
        el("dt", {}, "Index"), el("dd", {}, data.generation)),
      answered ? S.markdown(data.answer, { id: "pv-answer" }) : null,
      confirmOptions(data),
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

  /* "Is it one of these?" (decision confirm): the badge, the band it falls in and the options the customer sees. */
  function decisionBadge(data) {
    var words = { answer: "an answer", confirm: "a question back: is it one of these?" }[data.decision] || "an escalation";
    return el("span", { class: "badge " + (data.decision === "answer" ? "good" : "warn"), id: "pv-decision" }, words);
  }

  function confirmBand(data) {
    return data.confirm_band ? ", asks which article from " + data.confirm_band[0].toFixed(2) + " to " + data.confirm_band[1].toFixed(2) : "";
  }

  function confirmOptions(data) {
    if (data.decision !== "confirm") return null;
    return el("div", { id: "pv-options" }, el("p", {}, "Options offered (and “None of these”):"),
      el("ul", {}, data.suggestions.map(function (s) { return el("li", {}, s.title, el("span", { class: "muted" }, " · " + s.article_id)); })));
  }

  var filters = { status: "open", reason: "", priority: "", locale: "", has_contact: "", q: "" };

  function showTickets() {
    var list = el("div", { id: "ticket-list", "aria-live": "polite" }, el("p", { class: "muted" }, "Loading…"));
    var form = el("form", { class: "card filters", role: "search", "aria-label": "Filter tickets" },
      filterField("f-q", "Search", el("input", { id: "f-q", type: "search", placeholder: "Subject or transcript" })),
      filterField("f-status", "Status", select("f-status", [["", "Any"], ["open", "Open"], ["pending", "Pending"], ["solved", "Solved"]], filters.status)),
      filterField("f-reason", "Reason", select("f-reason", [["", "Any"], ["customer_request", "Customer request"], ["low_confidence", "Low confidence"],
        ["no_match", "No match"], ["out_of_scope", "Out of scope"], ["sensitive_topic", "Sensitive topic"], ["stale_source", "Stale source"],
        ["conflict", "Conflict"], ["identifier_not_found", "Unknown error code"], ["known_incident", "Known incident"], ["other_audience", "Other audience's article"], ["none_of_these", "None of the options"]], filters.reason)),
      filterField("f-priority", "Priority", select("f-priority", [["", "Any"], ["urgent", "Urgent"], ["high", "High"], ["normal", "Normal"], ["low", "Low"]], filters.priority)),
      filterField("f-locale", "Locale", select("f-locale", [["", "Any"], ["en", "English"], ["de", "German"]], filters.locale)),
      filterField("f-contact", "Contact", select("f-contact", [["", "Any"], ["true", "Has email"], ["false", "No email"]], filters.has_contact)),
      el("button", { class: "primary", type: "submit" }, "Filter"));
    form.querySelector("#f-q").value = filters.q;
    form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
    form.addEventListener("change", load);
    main.replaceChildren(el("h1", {}, "Tickets"), form, list);
    load();

    function load() {
      filters = { q: val("f-q"), status: val("f-status"), reason: val("f-reason"), priority: val("f-priority"),
        locale: val("f-locale"), has_contact: val("f-contact") };
      var query = Object.keys(filters).filter(function (k) { return filters[k]; })
        .map(function (k) { return k + "=" + encodeURIComponent(filters[k]); }).join("&");
      view.start()("/v1/tickets?limit=100" + (query ? "&" + query : "")).then(function (tickets) {
        list.replaceChildren(tickets.length ? ticketTable(tickets) : el("p", { class: "card muted" }, "No ticket matches these filters."));
      }).catch(fail);
    }
    function val(id) { return form.querySelector("#" + id).value.trim(); }
  }

  function filterField(id, label, control) { return el("div", { class: "field" }, el("label", { for: id }, label), control); }

  function ticketTable(tickets) {
    var rows = tickets.map(function (t) {
      return el("tr", {}, el("td", { class: "ref" }, el("a", { href: "#ticket/" + t.reference }, t.reference)), el("td", {}, t.subject),
        el("td", { title: t.created_at, class: "nowrap" }, age(t.created_at)), el("td", {}, priorityBadge(t.priority)),
        el("td", {}, t.reason.replace(/_/g, " ")), el("td", {}, t.has_contact ? t.customer.email : noContact()),
        el("td", {}, t.status), el("td", {}, t.assignee || "—"));
    });
    return el("div", { class: "card scroll" }, el("table", { id: "tickets" },
      el("caption", { class: "sr" }, "Tickets, most recently updated first"),
      el("thead", {}, el("tr", {}, ["Reference", "Subject", "Age", "Priority", "Reason", "Contact", "Status", "Assignee"]
        .map(function (h) { return el("th", { scope: "col" }, h); }))), el("tbody", {}, rows)));
  }

  /* Active status-page incidents, each with the tickets linked to it (one parent, many children). */
  function showIncidents() {
    var list = el("div", { id: "incident-list", "aria-live": "polite" }, el("p", { class: "muted" }, "Loading…"));
    main.replaceChildren(el("h1", {}, "Incidents"), list);
    var load = view.start();
    load("/v1/incidents").then(function (state) {
      if (!state.configured) { list.replaceChildren(el("p", { class: "card muted" }, "No status feed is configured (ENGINE_STATUS__URL).")); return; }
      var age = state.age_s === null ? "never read" : Math.round(state.age_s) + " s ago" + (state.stale ? " (last read failed: " + state.error + ")" : "");
      var head = el("p", { class: "muted", id: "incident-feed" }, "Status feed read " + age + ".");
      if (!state.incidents.length) { list.replaceChildren(head, el("p", { class: "card muted" }, "No active incident.")); return; }
      return Promise.all(state.incidents.map(function (i) {
        return load("/v1/tickets?limit=500&incident=" + encodeURIComponent(i.id)).then(function (tickets) {
          return el("section", { class: "card", "aria-label": i.name, "data-incident": i.id },
            el("h2", {}, i.name + " · " + i.status + " · " + i.impact),
            el("p", {}, i.latest_update ? i.latest_update.body : "", " ", i.shortlink ? el("a", { href: i.shortlink, target: "_blank", rel: "noopener" }, "Status page") : ""),
            el("p", { class: "incident-count" }, (i.questions === null || i.questions === undefined ? "" :
              i.questions + " question" + (i.questions === 1 ? "" : "s") + " about it · ") +
              tickets.length + " linked ticket" + (tickets.length === 1 ? "" : "s")),
            tickets.length ? ticketTable(tickets) : null);
        });
      })).then(function (cards) { list.replaceChildren.apply(list, [head].concat(cards)); });
    }).catch(fail);
  }

  function incidentLink(incident) {
    var words = incident.title + " (" + incident.id + ")" + (incident.resolved_at ? " — resolved " + incident.resolved_at.slice(0, 16).replace("T", " ") : "");
    return incident.url ? el("a", { href: incident.url, target: "_blank", rel: "noopener" }, words) : words;
  }

  function noContact() {
    return el("span", { class: "badge warn", title: "The customer left no email: nobody can reply yet" }, "no contact");
  }

  /* `saved`: the version an agent's change just made, confirmed on the reloaded page. */
  function showTicket(reference, saved) {
    main.replaceChildren(el("p", { class: "muted" }, "Loading " + reference + "…"));
    view.start()("/v1/tickets/" + encodeURIComponent(reference)).then(function (t) {
      var facts = el("section", { class: "card", id: "ticket-facts" }, el("h1", {}, t.reference + " · " + t.subject),
        el("dl", { class: "kv" },
          el("dt", {}, "Status"), el("dd", { id: "ticket-status" }, t.status + " (version " + t.version + ")"),
          el("dt", {}, "Assignee"), el("dd", {}, t.assignee || "—"),
          el("dt", {}, "Age"), el("dd", {}, age(t.created_at) + " (opened " + t.created_at.slice(0, 16).replace("T", " ") + ")"),
          el("dt", {}, "Reason"), el("dd", { id: "ticket-reason" }, t.reason),
          el("dt", {}, "Incident"), el("dd", { id: "ticket-incident" }, t.incident ? incidentLink(t.incident) : "—"),
          el("dt", {}, "Confidence"), el("dd", {}, t.confidence.toFixed(2)),
          el("dt", {}, "Priority"), el("dd", {}, priorityBadge(t.priority)),
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
      var triage = triageForm(t);
      main.replaceChildren.apply(main, [el("p", {}, el("a", { href: "#tickets" }, "← All tickets")), facts,
        triage, notes(t), feedback(t), transcript, articles(t)].filter(Boolean)); /* null: no notes, no votes */
      if (saved) {
        var done = triage.querySelector("#tr-result");
        done.className = "saved";
        done.setAttribute("role", "status");
        done.textContent = "Saved — " + t.reference + " is at version " + t.version + ".";
      }
      main.focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }).catch(fail);
  }

  /* Status, assignee and an internal note, saved against the version shown: a 409 says someone else was first. */
  function triageForm(t) {
    var status = select("tr-status", [["open", "Open"], ["pending", "Pending"], ["solved", "Solved"]], t.status);
    var assignee = el("input", { id: "tr-assignee", autocomplete: "off" });
    assignee.value = t.assignee || "";
    var note = el("textarea", { id: "tr-note", placeholder: "Only agents see internal notes" });
    var result = el("p", { id: "tr-result", "aria-live": "polite" });
    var form = el("form", { class: "card", "aria-labelledby": "tr-title" }, el("h2", { id: "tr-title" }, "Triage"),
      el("div", { class: "row" }, filterField("tr-status", "Status", status), filterField("tr-assignee", "Assignee", assignee)),
      el("div", { class: "field" }, el("label", { for: "tr-note" }, "Internal note"), note),
      el("div", { class: "row" }, el("button", { class: "primary", type: "submit" }, "Save"), result));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var change = { status: status.value, assignee: assignee.value.trim() };
      if (note.value.trim()) change.note = note.value.trim();
      S.api("/v1/tickets/" + t.reference, change, { method: "PATCH", headers: { "If-Match": '"' + t.version + '"' } })
        .then(function () { showTicket(t.reference, true); })
        .catch(function (error) {
          result.className = "error";
          result.setAttribute("role", "alert");
          result.textContent = S.problem(error);
        });
    });
    return form;
  }

  function notes(t) {
    if (!t.notes.length) return null;
    return el("section", { class: "card", id: "ticket-notes", "aria-labelledby": "tn" }, el("h2", { id: "tn" }, "Internal notes"),
      t.notes.map(function (n) { return el("p", {}, el("strong", {}, n.author + ", " + n.at.slice(0, 16).replace("T", " ") + ": "), n.text); }));
  }

  /* What the customer told us about the answers (👍/👎 with the reason and comment), whenever they voted. */
  var WHY = { wrong: "It's wrong", outdated: "It's out of date", unclear: "It's unclear", incomplete: "Something is missing",
    not_my_question: "It's not what I asked", other: "Something else" };
  function feedback(t) {
    if (!(t.feedback || []).length) return null;
    return el("section", { class: "card", id: "ticket-feedback", "aria-labelledby": "tf" },
      el("h2", { id: "tf" }, "Customer feedback on the answers"),
      t.feedback.map(function (f) {
        return el("div", { class: "turn" },
          el("p", {}, el("span", { class: "badge " + (f.helpful ? "good" : "bad") }, f.helpful ? "Helpful" : "Not helpful"),
            " on “", f.question, "”", el("span", { class: "muted" }, " · " + f.at.slice(0, 16).replace("T", " "))),
          f.helpful ? null : el("p", {}, el("strong", {}, "Reason: "), WHY[f.reason] || f.reason || "—"),
          f.comment ? el("p", {}, el("strong", {}, "Comment: "), f.comment) : null);
      }));
  }

  /* The articles the customer actually saw (cited) up front; the other candidates folded away. */
  function articles(t) {
    var cited = t.articles.filter(function (a) { return a.cited; });
    var other = t.articles.filter(function (a) { return !a.cited; });
    return el("section", { class: "card", id: "ticket-articles", "aria-labelledby": "ta" },
      el("h2", { id: "ta" }, "Articles the customer saw"),
      cited.length ? articleTable(cited) : el("p", { class: "muted" }, "No article was cited."),
      other.length ? el("details", {}, el("summary", {}, other.length + " other candidate" + (other.length > 1 ? "s" : "") + " (not shown to the customer)"),
        articleTable(other)) : null);
  }

  function articleTable(list) {
    return el("div", { class: "scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "Article"), el("th", {}, "Version"), el("th", { class: "num" }, "Score"))),
      el("tbody", {}, list.map(function (a) {
        return el("tr", {}, el("td", {}, el("a", { href: a.url || "#", target: "_blank", rel: "noopener" }, a.title)),
          el("td", {}, a.version), el("td", { class: "num" }, a.score.toFixed(3)));
      }))));
  }

  function age(iso) {
    var hours = Math.max(0, (Date.now() - Date.parse(iso)) / 3600000);
    if (hours < 1) return Math.round(hours * 60) + " min";
    if (hours < 48) return Math.round(hours) + " h";
    return Math.round(hours / 24) + " d";
  }

  function priorityBadge(priority) {
    return el("span", { class: "badge " + (priority === "urgent" || priority === "high" ? "bad" : priority === "low" ? "info" : "warn") }, priority);
  }

  /* A conversation as the dashboard's drill-down links to it: its turns (redacted) and its tickets. */
  function showSession(id) {
    main.replaceChildren(el("p", { class: "muted" }, "Loading the conversation…"));
    view.start()("/v1/session", undefined, { headers: { "X-Session-Id": id } }).then(function (s) {
      main.replaceChildren(el("h1", {}, "Conversation"), el("section", { class: "card", id: "session-turns" },
        el("p", { class: "muted" }, "Session " + s.session_id), s.turns.map(turn),
        s.tickets.length ? el("p", {}, "Tickets: ", s.tickets.map(function (t) { return el("a", { href: "#ticket/" + t.reference }, t.reference + " "); })) : null));
      main.focus({ preventScroll: true });
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
