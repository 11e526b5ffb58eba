// The member directory: category chips, "离我最近" and the map. No inline scripts (CSP).
(function () {
  "use strict";

  // A chip or the district select filters at once; a new filter starts again at page 1.
  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el instanceof HTMLInputElement && el.classList.contains("autosubmit-radio")) el.form.requestSubmit();
  });

  // "离我最近": the browser's position, rounded to about 100 m before it leaves the phone.
  const nearButton = document.getElementById("near-me");
  if (nearButton) {
    const status = document.getElementById("near-status");
    const form = nearButton.form;
    const fallback = () => {
      status.textContent = nearButton.dataset.denied;
      const select = form.querySelector("select[name=district]");
      if (select) select.focus();
    };
    nearButton.addEventListener("click", () => {
      if (!("geolocation" in navigator)) return fallback();
      status.textContent = nearButton.dataset.busy;
      navigator.geolocation.getCurrentPosition(
        (position) => {
          const params = new URLSearchParams(new FormData(form));
          params.set("lat", position.coords.latitude.toFixed(3));
          params.set("lng", position.coords.longitude.toFixed(3));
          params.delete("page");
          for (const [key, value] of [...params.entries()]) if (!value) params.delete(key);
          window.location.assign(form.action + "?" + params.toString());
        },
        fallback,
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 },
      );
    });
  }

  // The map: an ECharts scatter on longitude/latitude value axes, one colour per category.
  const mapEl = document.getElementById("merchant-map");
  const dataEl = document.getElementById("merchant-map-data");
  if (mapEl && dataEl && window.echarts) {
    const data = JSON.parse(dataEl.textContent);
    const colours = {
      food: "#d92d20", lodging: "#7a5af8", transport: "#1570ef", health: "#039855",
      clinic: "#0e9384", shopping: "#dc6803", culture: "#c11574", other: "#667085",
    };
    const series = data.categories.map((category) => ({
      name: category.label,
      type: "scatter",
      symbolSize: 9,
      itemStyle: { color: colours[category.value] || "#667085", opacity: 0.85 },
      data: data.points
        .filter((p) => p.category === category.value)
        .map((p) => ({ name: p.name, value: [p.lng, p.lat], code: p.code })),
    })).filter((s) => s.data.length);
    const chart = window.echarts.init(mapEl, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 12, top: 56, bottom: 36 },
      legend: { top: 0, type: "scroll" },
      tooltip: {
        trigger: "item",
        formatter: (item) => `${item.data.name}<br>${item.seriesName}`,
      },
      xAxis: { type: "value", scale: true, name: mapEl.dataset.lngLabel, axisLabel: { formatter: (v) => v.toFixed(2) } },
      yAxis: { type: "value", scale: true, name: mapEl.dataset.latLabel, axisLabel: { formatter: (v) => v.toFixed(2) } },
      dataZoom: [{ type: "inside", xAxisIndex: 0 }, { type: "inside", yAxisIndex: 0 }],
      series,
    });
    chart.on("click", (item) => {
      if (item.data && item.data.code) {
        window.location.assign(mapEl.dataset.detailUrl.replace("CODE", encodeURIComponent(item.data.code)));
      }
    });
    window.addEventListener("resize", () => chart.resize());
  }
})();
