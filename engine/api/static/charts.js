/* Tiny inline-SVG charts for the dashboard (offline, no library): a line chart of rates over days and a
 * horizontal bar chart. Each chart carries a <title> and an aria-label summary for screen readers. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    var node = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* series: [{name, color, dash?, values: [number|null per label]}], values in 0..1. */
  function lines(labels, series, label) {
    var w = 960, h = 260, left = 48, right = 32, top = 12, bottom = 36;
    var root = svg("svg", { class: "chart lines", viewBox: "0 0 " + w + " " + h, role: "img", "aria-label": label });
    root.append(svg("title", {}, label));
    var x = function (i) { return left + (labels.length < 2 ? (w - left - right) / 2 : i * (w - left - right) / (labels.length - 1)); };
    var y = function (v) { return top + (1 - v) * (h - top - bottom); };
    [0, 0.25, 0.5, 0.75, 1].forEach(function (v) {
      root.append(svg("line", { x1: left, x2: w - right, y1: y(v), y2: y(v), stroke: "#e3e8ef" }));
      root.append(svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, Math.round(v * 100) + "%"));
    });
    var step = Math.max(1, Math.ceil(labels.length / 8));
    labels.forEach(function (day, i) {
      if (i % step === 0) root.append(svg("text", { x: x(i), y: h - 12, "text-anchor": "middle" }, day.slice(5)));
    });
    series.forEach(function (s) {
      var points = [];
      s.values.forEach(function (v, i) {
        if (v === null) return;
        points.push(x(i) + "," + y(v));
        var dot = svg("circle", { cx: x(i), cy: y(v), r: 4, fill: s.color, class: "point" });
        dot.append(svg("title", {}, s.name + " " + labels[i] + ": " + Math.round(v * 100) + "%"));
        root.append(dot);
      });
      if (points.length > 1) {
        root.insertBefore(svg("polyline", { points: points.join(" "), fill: "none", stroke: s.color, "stroke-width": 2.5,
          "stroke-dasharray": s.dash || "none", class: "series" }), root.querySelector("circle"));
      }
    });
    return root;
  }

  /* items: [{label, value}], one labelled bar per row (label above its bar, so long names stay readable);
   * format(value) gives the bar's text; an item's `open` (optional) runs when its bar is clicked. */
  function bars(items, label, color, format) {
    var row = 40, w = 360, right = 48, h = Math.max(1, items.length) * row + 4;
    var root = svg("svg", { class: "chart bars", viewBox: "0 0 " + w + " " + h, role: "img", "aria-label": label });
    root.append(svg("title", {}, label));
    var max = Math.max.apply(null, items.map(function (i) { return i.value; }).concat([1e-9]));
    items.forEach(function (item, i) {
      var yy = i * row, width = Math.max(2, (item.value / max) * (w - right));
      var name = item.label.length > 52 ? item.label.slice(0, 51) + "…" : item.label;
      root.append(svg("text", { x: 0, y: yy + 14 }, name));
      var bar = svg("rect", { x: 0, y: yy + 20, width: width, height: 14, rx: 3, fill: color, class: "bar" });
      bar.append(svg("title", {}, item.label + ": " + format(item.value)));
      if (item.open) { bar.style.cursor = "pointer"; bar.addEventListener("click", item.open); }
      root.append(bar);
      root.append(svg("text", { x: width + 6, y: yy + 32 }, format(item.value)));
    });
    return root;
  }

  window.Charts = { lines: lines, bars: bars };
})();
