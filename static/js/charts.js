// Charts without inline scripts (the CSP forbids them): every <div class="chart"
// data-chart="ID"> gets an ECharts instance whose option is the JSON of
// <script type="application/json" id="ID"> (written by `{{ option|json_script:"ID" }}`).
// The numbers behind each chart are also on the page as a table, for screen readers and export.
(function () {
  "use strict";

  const charts = new Set();

  // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style attributes the CSP refuses.
  const DEFAULTS = { animationDuration: 400, textStyle: { fontFamily: "inherit" } };

  function optionFor(el) {
    const source = document.getElementById(el.dataset.chart);
    if (!source) return null;
    try {
      const option = Object.assign({}, DEFAULTS, JSON.parse(source.textContent));
      option.tooltip = Object.assign({ renderMode: "richText", confine: true }, option.tooltip || {});
      return option;
    } catch (error) {
      console.warn("chart " + el.dataset.chart + ": option is not JSON", error);
      return null;
    }
  }

  function start(root) {
    if (typeof window.echarts === "undefined") return;
    root.querySelectorAll("div.chart[data-chart]").forEach((el) => {
      if (window.echarts.getInstanceByDom(el)) return;
      const option = optionFor(el);
      if (!option) return;
      const chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      charts.add(chart);
    });
  }

  let frame = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => charts.forEach((chart) => chart.resize()));
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => start(document));
  } else {
    start(document);
  }
  // Content swapped in by htmx may bring charts of its own.
  document.addEventListener("htmx:afterSettle", (event) => start(event.target));
})();
