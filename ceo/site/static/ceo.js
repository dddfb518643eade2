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

  /* plotly adds its style rules in an inline <style> element, which the Content-Security-Policy forbids
   * (style-src 'self'); an element with its id and the class no-inline-styles tells plotly not to, and this one
   * is the stylesheet with the same rules (assets/plotly-basic.css, written by ceo from the bundle). */
  function plotlyStyles() {
    if (document.getElementById("plotly.js-style-global")) return;
    var link = document.createElement("link");
    link.id = "plotly.js-style-global";
    link.className = "no-inline-styles";
    link.rel = "stylesheet";
    link.href = plotlySrc.replace(/plotly-basic\.min\.js$/, "plotly-basic.css");
    document.head.appendChild(link);
  }

  function loadPlotly() {
    plotlyStyles();
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
      if (el.getAttribute("data-rendered") === "1") return;  // drawn meanwhile for printing
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
      el.ceoSpec = spec;
      s.parentNode.replaceChild(el, s);
      /* a chart with a layout for narrow screens (the factsheet's trend: two columns instead of three) */
      if (spec.narrow && el.clientWidth && el.clientWidth < spec.narrow.below) {
        spec.layout = spec.narrow.layout;
        spec.data = spec.narrow.data;
      }
      if (spec.layout && spec.layout.height) el.style.minHeight = spec.layout.height + "px";
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
    drawWhenIdle(els);
  }

  /* The charts not yet in view are drawn when the browser is idle (one at a time), so that a page printed or
   * saved as PDF has all its charts, and a page that opens with text (the factsheet's Kernpunten) has its
   * first chart ready before it is scrolled to. */
  function drawWhenIdle(els) {
    var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 200); };
    function next() {
      // not in a closed section: drawn when it opens, at the width it then has
      var el = els.find(function (e) { return !e.getAttribute("data-drawn") && !e.closest("details:not([open])"); });
      if (el) { draw(el); idle(next, {timeout: 2000}); }
    }
    idle(next, {timeout: 2000});
  }

  /* Print (A4): every folded section opened and every chart drawn at the width of the printed page, right
   * now: 'beforeprint' does not wait for anything asynchronous. Plotly draws bar and scatter charts
   * synchronously once it is loaded; a chart that cannot be drawn in time is left out of the print by
   * ceo.css and its table (always printed) has the same numbers. Everything is put back after printing. */
  var PRINT_WIDTH = 690;  // px: A4 (210 mm) minus the margins of ceo.css (2 x 11 mm) is about 710 px
  var PRINT_SCALE = 0.78;  // charts on paper: 78 % of their height on screen, with a smaller font
  function printLayout(spec) {
    var layout = spec.layout || {};
    var size = (layout.font && layout.font.size) || 13;
    var out = {width: PRINT_WIDTH, "font.size": Math.round(size * 0.85)};
    // less for a chart of several panels: their titles need the room between the panels
    var panels = layout.annotations && layout.annotations.length;
    if (layout.height) out.height = Math.round(layout.height * (panels ? 0.92 : PRINT_SCALE));
    return out;
  }
  var opened = [];
  function beforePrint() {
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      return true;
    });
    if (!window.Plotly) return;
    document.querySelectorAll(".ceo-chart").forEach(function (el) {
      try {
        if (el.getAttribute("data-rendered") !== "1") {
          var i = queue.indexOf(el);
          if (i >= 0) queue.splice(i, 1);
          if (!el.getAttribute("data-drawn")) el.setAttribute("data-drawn", "1");
          var spec = el.ceoSpec;
          Plotly.newPlot(el, spec.data, spec.layout, {displayModeBar: false, responsive: true, staticPlot: true});
          Plotly.relayout(el, printLayout(spec));
          if (el.querySelector("svg.main-svg")) {
            el.setAttribute("data-rendered", "1");
            el.ceoPrintDrawn = true;
            pending--;
            allDrawn();
          }
        } else {
          Plotly.relayout(el, printLayout(el.ceoSpec));
        }
      } catch (err) { /* left out of the print; its table has the numbers */ }
    });
  }
  function afterPrint() {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
    if (!window.Plotly) return;
    document.querySelectorAll(".ceo-chart[data-rendered='1']").forEach(function (el) {
      try {
        if (el.ceoPrintDrawn) {  // drawn for the print: drawn again as an interactive chart
          el.ceoPrintDrawn = false;
          var spec = el.ceoSpec;
          Plotly.newPlot(el, spec.data, spec.layout, {displayModeBar: false, responsive: true});
        } else {
          var layout = el.ceoSpec.layout || {};
          Plotly.relayout(el, {width: layout.width || null, height: layout.height || null, autosize: true,
                               "font.size": (layout.font && layout.font.size) || 13});
        }
      } catch (err) { /* stays at the print width */ }
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
    /* above mkdocs-material's scrolling wrapper (when it is already there), so that the box stays in view and
     * never makes the page wider than a phone screen */
    var anchor = table.closest(".md-typeset__scrollwrap") || table;
    anchor.parentNode.insertBefore(wrap, anchor);
    input.addEventListener("input", function () {
      var q = input.value.trim().toLocaleLowerCase("nl");
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        var t = r.cells[0].textContent.toLocaleLowerCase("nl");
        r.hidden = q !== "" && t.indexOf(q) === -1;
      });
    });
  }

  /* the text of the last h2/h3 before el: tells two tables with the same caption apart */
  function sectionOf(el) {
    var found = "";
    document.querySelectorAll(".md-content h2, .md-content h3").forEach(function (h) {
      if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) found = h.textContent.trim();
    });
    return found;
  }

  /* A table wider than the page scrolls sideways in its wrapper (mkdocs-material); that wrapper must
   * be reachable with the keyboard (WCAG 2.1.1), so it gets tabindex and a name from the caption. */
  function scrollRegions() {
    /* every region landmark has a unique name (WCAG best practice, axe landmark-unique): the caption, then
     * the section it is in, then a number */
    var used = {};
    document.querySelectorAll(".md-typeset__scrollwrap[role='region']").forEach(function (wrap) {
      used[wrap.getAttribute("aria-label")] = true;
    });
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        var caption = wrap.querySelector("caption");
        var label = caption ? caption.textContent.trim() : "Tabel";
        if (used[label]) {
          var section = sectionOf(wrap);
          if (section && !used[label + " (" + section + ")"]) label = label + " (" + section + ")";
          else {
            var k = 2;
            while (used[label + " (" + k + ")"]) k++;
            label = label + " (" + k + ")";
          }
        }
        used[label] = true;
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", label);
      } else if (!scrolls && wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  /* The menu button of mkdocs-material (a <label> for the hidden checkbox #__drawer, shown below 76.25em) cannot
   * be reached with the keyboard: it is replaced by a <button> that opens and closes the drawer (Escape closes
   * it and returns to the button). ceo.css hides the closed drawer, so its links are no tab stops. */
  function menuButton() {
    var toggle = document.getElementById("__drawer");
    var label = document.querySelector("label.md-header__button[for='__drawer']");
    var drawer = document.querySelector(".md-sidebar--primary");
    if (!toggle || !label) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = label.className + " ceo-menu";
    button.setAttribute("aria-label", "Menu");
    while (label.firstChild) button.appendChild(label.firstChild);
    label.parentNode.replaceChild(button, label);
    function sync() { button.setAttribute("aria-expanded", toggle.checked ? "true" : "false"); }
    sync();
    toggle.addEventListener("change", sync);
    button.addEventListener("click", function (e) {
      toggle.click();
      sync();
      if (toggle.checked && drawer && e.detail === 0) {  // opened with the keyboard: into the drawer
        var first = Array.prototype.find.call(drawer.querySelectorAll("a[href], input, button, [tabindex='0']"),
                                              function (el) { return el.getClientRects().length > 0; });
        if (first) first.focus();
      }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && toggle.checked) {
        toggle.click();
        sync();
        button.focus();
      }
    });
  }

  /* the print header (assets/theme/main.html) shows the full address of the page when the site has no site_url */
  function printAddresses() {
    if (!/^https?:$/.test(location.protocol)) return;
    document.querySelectorAll("a.ceo-print-url").forEach(function (a) {
      if (!/^https?:/.test(a.textContent.trim())) a.textContent = a.href;
    });
  }

  function init() {
    charts();
    menuButton();
    printAddresses();
    window.addEventListener("beforeprint", beforePrint);
    window.addEventListener("afterprint", afterPrint);
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
