/* ceo: charts drawn when they scroll into view, sortable and filterable tables.
 * Own code, no dependencies; plotly-basic.min.js (the plotly.js basic bundle ceo ships, MIT) is loaded
 * from the same directory only on pages that contain a chart. Everything works without JavaScript too:
 * every chart has a table with the same numbers. */
(function () {
  "use strict";
  var me = document.currentScript && document.currentScript.src;
  var plotlySrc = me ? me.replace(/ceo\.js(\?.*)?$/, "plotly-basic.min.js") : "plotly-basic.min.js";
  var loading = null;
  var pending = 0;  // charts of this page not drawn yet

  /* <html data-ceo-charts="drawn"> once every chart of the page is drawn (the browser tests wait for it) */
  function allDrawn() {
    if (pending === 0) document.documentElement.setAttribute("data-ceo-charts", "drawn");
  }

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = plotlySrc;
        s.onload = function () { resolve(window.Plotly); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  /* Charts waiting to be drawn: one chart per task (a macrotask between charts), so that the page stays
   * responsive and no long task draws all charts in view at once. */
  var queue = [];
  var pumping = false;

  function pump() {
    var el = queue.shift();
    if (!el) { pumping = false; return; }
    var spec = el.ceoSpec;
    var drawing;
    try {
      drawing = Plotly.newPlot(el, spec.data, spec.layout, {displayModeBar: false, responsive: true});
    } catch (err) {
      drawing = Promise.reject(err);
    }
    drawing.then(function () {
      el.setAttribute("data-rendered", "1");
      /* the first chart drawn (bench/bench_page_weight.py measures the time to it) */
      if (window.performance && performance.mark && !performance.getEntriesByName("ceo-first-chart").length) {
        performance.mark("ceo-first-chart");
      }
      pending--;
      allDrawn();
    }, function () { /* not drawn: the table below it has the same numbers */ })
      .then(function () { setTimeout(pump, 0); });
  }

  function draw(el) {
    if (el.getAttribute("data-drawn")) return;
    el.setAttribute("data-drawn", "1");
    queue.push(el);
    loadPlotly().then(function () {
      if (!pumping) { pumping = true; setTimeout(pump, 0); }
    });
  }

  /* The page holds each chart as <script type="application/vnd.ceo-chart+json"> (its text alternative and
   * data); it is replaced by the element the chart is drawn in: an image with that text alternative. */
  function placeholders() {
    var scripts = document.querySelectorAll("script[type='application/vnd.ceo-chart+json']");
    return Array.prototype.map.call(scripts, function (s) {
      var spec = JSON.parse(s.textContent);
      var el = document.createElement("div");
      el.className = "ceo-chart";
      el.setAttribute("role", "img");
      el.setAttribute("aria-label", spec.label);
      if (spec.layout && spec.layout.height) el.style.minHeight = spec.layout.height + "px";
      el.ceoSpec = spec;
      s.parentNode.replaceChild(el, s);
      return el;
    });
  }

  function charts() {
    var els = placeholders();
    pending = els.length;
    if (!els.length) { allDrawn(); return; }
    if (!("IntersectionObserver" in window)) { els.forEach(draw); return; }
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) { if (e.isIntersecting) { io.unobserve(e.target); draw(e.target); } });
    }, {rootMargin: "200px"});
    els.forEach(function (el) { io.observe(el); });
    document.querySelectorAll("details").forEach(function (d) {
      d.addEventListener("toggle", function () {
        if (d.open) d.querySelectorAll(".ceo-chart").forEach(draw);
      });
    });
  }

  function cellValue(cell) {
    var key = cell.getAttribute("data-sort");
    if (key !== null) {
      if (key === "") return {empty: true};
      var n = parseFloat(key);
      return isNaN(n) ? {text: key} : {num: n};
    }
    return {text: cell.textContent.trim().toLocaleLowerCase("nl")};
  }

  function compare(a, b) {
    if (a.empty || b.empty) return a.empty === b.empty ? 0 : (a.empty ? 1 : -1);
    if (a.num !== undefined && b.num !== undefined) return a.num - b.num;
    return String(a.text !== undefined ? a.text : a.num).localeCompare(String(b.text !== undefined ? b.text : b.num), "nl");
  }

  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ceo-sort";
      button.textContent = th.textContent;
      button.setAttribute("aria-label", "Sorteer op " + th.textContent);
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var c = compare(cellValue(r1.cells[col]), cellValue(r2.cells[col]));
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  var filterId = 0;
  function filterable(table) {
    var label = table.getAttribute("data-ceo-filter");
    var wrap = document.createElement("p");
    var id = "ceo-filter-" + (++filterId);
    var lab = document.createElement("label");
    lab.setAttribute("for", id);
    lab.textContent = label + ": ";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.className = "ceo-filter";
    wrap.appendChild(lab);
    wrap.appendChild(input);
    table.parentNode.insertBefore(wrap, table);
    input.addEventListener("input", function () {
      var q = input.value.trim().toLocaleLowerCase("nl");
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        var t = r.cells[0].textContent.toLocaleLowerCase("nl");
        r.hidden = q !== "" && t.indexOf(q) === -1;
      });
    });
  }

  /* A table wider than the page scrolls sideways in its wrapper (mkdocs-material); that wrapper must
   * be reachable with the keyboard (WCAG 2.1.1), so it gets tabindex and a name from the caption. */
  function scrollRegions() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        var caption = wrap.querySelector("caption");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", caption ? caption.textContent : "Tabel");
      } else if (!scrolls && wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  function init() {
    charts();
    document.querySelectorAll("table[data-ceo-sortable]").forEach(sortable);
    document.querySelectorAll("table[data-ceo-filter]").forEach(filterable);
    // mkdocs-material wraps the tables after loading the page: check again when it is done
    scrollRegions();
    window.addEventListener("load", scrollRegions);
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(scrollRegions, 200);
    });
    document.querySelectorAll("details").forEach(function (d) {
      d.addEventListener("toggle", scrollRegions);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
