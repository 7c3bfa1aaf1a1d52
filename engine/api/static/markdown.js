/* The answers' light Markdown as DOM nodes — paragraphs, lists, fenced code blocks, **bold**, *italics*, `code`,
 * [links](https://…) — built from text nodes only, never HTML, so nothing in an answer can inject markup.
 * Pipe tables (| a | b |) become tables. Shared: the /widget.js route serves it inside the widget's closure; the staff pages load it as a script.
 *   var md = answerMarkdown(document);  node.append(md.render("Open **Settings**"));  md.plain("**a**") === "a" */
function answerMarkdown(doc) {
  "use strict";
  var INLINE = /(\*\*[^*]+\*\*|\*[^*\s](?:[^*]*[^*\s])?\*|`[^`]+`|\[[^\]]+\]\([^)\s]+\))/;

  function render(source) {
    var out = doc.createDocumentFragment(), list = null, fence = null;
    String(source).split(/\n/).forEach(function (line) {
      if (/^\s*```/.test(line)) {
        if (fence) { fence = null; return; }
        fence = node("code", {}, "");
        out.appendChild(node("pre", {}, fence));
        list = null;
        return;
      }
      if (fence) { fence.textContent += (fence.textContent ? "\n" : "") + line; return; }
      if (/^\s*\|.*\|\s*$/.test(line)) { /* a pipe table: the first row is its head, the |---| row is skipped */
        if (/^[\s|:-]+$/.test(line)) return;
        var head = !list || list.tagName.toLowerCase() !== "tbody";
        if (head) { var table = node("table"); out.appendChild(node("div", { class: "table" }, table)); }
        var row = node("tr");
        line.trim().slice(1, -1).split("|").forEach(function (cell) { row.appendChild(inline(node(head ? "th" : "td"), cell.trim())); });
        if (head) { table.appendChild(node("thead", {}, row)); list = node("tbody"); table.appendChild(list); }
        else list.appendChild(row);
        return;
      }
      var bullet = /^\s*(?:[-*]|(\d+)[.)])\s+(.*)$/.exec(line);
      if (bullet) {
        var kind = bullet[1] ? "ol" : "ul";
        if (!list || list.tagName.toLowerCase() !== kind) { list = node(kind); out.appendChild(list); }
        list.appendChild(inline(node("li"), bullet[2]));
        return;
      }
      list = null;
      if (line.trim()) out.appendChild(inline(node("p"), line.replace(/^#+\s*/, "")));
    });
    return out;
  }

  function plain(source) {
    return String(source).replace(/^[\s|:-]*-[\s|:-]*$/gm, "").replace(/^\s*\|(.*)\|\s*$/gm, function (row, cells) {
      return cells.split("|").map(function (c) { return c.trim(); }).join(", ") + ".";
    }).replace(/\[([^\]]+)\]\([^)\s]+\)/g, "$1").replace(/```|\*\*|\*|`/g, "");
  }

  function inline(parent, line) {
    line.split(INLINE).forEach(function (part) {
      var link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(part);
      if (link) parent.appendChild(node("a", { href: safeUrl(link[2]), target: "_blank", rel: "noopener" }, link[1]));
      else if (/^\*\*.+\*\*$/.test(part)) parent.appendChild(node("strong", {}, part.slice(2, -2)));
      else if (/^\*.+\*$/.test(part)) parent.appendChild(node("em", {}, part.slice(1, -1)));
      else if (/^`.+`$/.test(part)) parent.appendChild(node("code", {}, part.slice(1, -1)));
      else if (part) parent.appendChild(doc.createTextNode(part));
    });
    return parent;
  }

  function safeUrl(url) { return /^https?:\/\//i.test(url || "") ? url : "#"; }

  function node(tag, attrs, child) {
    var made = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { made.setAttribute(name, attrs[name]); });
    if (typeof child === "string") made.textContent = child;
    else if (child) made.appendChild(child);
    return made;
  }

  return { render: render, plain: plain, safeUrl: safeUrl };
}
