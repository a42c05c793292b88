// The village map: county boundaries (a static GeoJSON file) under the villages' points (the API's
// GeoJSON), coloured by the status in the chosen campaign. No inline scripts: the page declares
// everything with data-* attributes and a json_script legend.
(function () {
  "use strict";

  function countiesInScope(boundaries, scope) {
    // A county (or lower) user sees their county; a city user their city; the province everything.
    const prefix = scope.length > 6 ? scope.slice(0, 6) : scope;
    let features = boundaries.features.filter(function (f) { return f.properties.code.indexOf(prefix) === 0; });
    if (!features.length && prefix.length > 4) {  // development zones have no polygon: show their city
      features = boundaries.features.filter(function (f) { return f.properties.code.indexOf(prefix.slice(0, 4)) === 0; });
    }
    return { type: "FeatureCollection", features: features.length ? features : boundaries.features };
  }

  function draw(element, boundaries, villages, legend) {
    const scope = element.dataset.scope || "";
    const counties = countiesInScope(boundaries, scope);
    window.echarts.registerMap("qiancun-counties", counties);
    const labels = {};
    legend.forEach(function (item) { labels[item.status] = item.label; });
    const groups = {};
    villages.features.forEach(function (f) {
      const key = f.properties.status || "";
      (groups[key] = groups[key] || []).push({
        name: f.properties.name, value: f.geometry.coordinates, code: f.properties.code,
        keyBorder: f.properties.key_border, poverty: f.properties.poverty,
      });
    });
    const series = legend.map(function (item) {
      const background = item.status === "";
      return {
        name: item.label + "（" + (groups[item.status] || []).length + "）",
        type: "scatter", coordinateSystem: "geo", data: groups[item.status] || [],
        symbolSize: background ? 4 : 7, z: background ? 2 : 3,
        itemStyle: { color: item.colour, opacity: background ? 0.7 : 0.95 },
        emphasis: { scale: 1.8 },
      };
    });
    const chart = window.echarts.init(element);
    const narrow = element.clientWidth < 600;
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          const escape = window.echarts.format.encodeHTML;  // names are data, never markup
          if (!p.data || !p.data.code) return escape(p.name || "");
          const flags = (p.data.keyBorder ? " · 重点边境村" : "") + (p.data.poverty ? " · 脱贫村" : "");
          return escape(p.data.name) + "<br>" + escape(p.data.code) + "<br>" + escape(p.seriesName.replace(/（\d+）$/, "")) + flags;
        },
      },
      // Only the statuses that occur: a legend of ten entries with nine zeros says nothing.
      legend: { type: "scroll", bottom: 0, data: series.filter(function (s) { return s.data.length; }).map(function (s) { return s.name; }) },
      geo: {
        map: "qiancun-counties", roam: true, top: 10, bottom: narrow ? 60 : 40,
        label: { show: counties.features.length <= 20, fontSize: 11, color: "#5b6678" },
        itemStyle: { areaColor: "#eef2f8", borderColor: "#9aa9c2", borderWidth: 0.8 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#dfe7f4" } },
        select: { disabled: true },
      },
      series: series,
    });
    chart.on("click", function (p) {
      if (p.data && p.data.code) window.location.href = element.dataset.villageUrl + p.data.code + "/";
    });
    window.addEventListener("resize", function () { chart.resize(); });
    element.dataset.drawn = String(villages.features.length);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const element = document.querySelector("[data-village-map]");
    if (!element || !window.echarts) return;
    const legend = JSON.parse(document.getElementById(element.dataset.legend).textContent);
    const json = function (url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
    };
    Promise.all([json(element.dataset.boundaries), json(element.dataset.villages)])
      .then(function (loaded) {
        element.innerHTML = "";
        draw(element, loaded[0], loaded[1], legend);
      })
      .catch(function () {
        const status = element.querySelector("[data-map-status]");
        if (status) status.textContent = "地图数据加载失败，请刷新重试。";
      });
  });
})();
