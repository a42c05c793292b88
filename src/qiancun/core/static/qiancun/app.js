// qiancun front-end glue. No inline scripts in templates: behaviour is declared with data-* attributes.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
});
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const target = document.querySelector(button.dataset.copy);
  if (target && navigator.clipboard) {
    navigator.clipboard.writeText(target.textContent.trim());
    button.textContent = "已复制";
  }
});

// Charts: <div data-chart="ID"> draws the JSON in <script type="application/json" id="ID">.
// A bar with a region code drills down to that region's page.
function drawCampaignOverview(element, data) {
  const chart = window.echarts.init(element);
  const narrow = element.clientWidth < 600;
  const rotate = narrow ? 60 : data.labels.length > 6 ? 35 : 0;
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["名额", "已提名", "已确认"], top: 0 },
    grid: { left: 36, right: 8, bottom: narrow ? 110 : 70, top: 36 },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: rotate, fontSize: narrow ? 10 : 12 } },
    yAxis: { type: "value" },
    series: [
      { name: "名额", type: "bar", data: data.quota, itemStyle: { color: "#c9d6ea" } },
      { name: "已提名", type: "bar", data: data.nominated, itemStyle: { color: "#1f4e9c" } },
      { name: "已确认", type: "bar", data: data.confirmed, itemStyle: { color: "#2e9d5b" } },
    ],
  });
  chart.on("click", function (params) {
    const code = data.codes[params.dataIndex];
    if (code) window.location.href = element.dataset.drillUrl + code;
  });
  window.addEventListener("resize", function () { chart.resize(); });
}
// 验收进度总览: coverage of the three acceptance levels per region, in percent; bars drill down.
function drawAcceptanceDashboard(element, data) {
  const chart = window.echarts.init(element);
  const narrow = element.clientWidth < 600;
  const rotate = narrow ? 60 : data.labels.length > 6 ? 35 : 0;
  const colors = ["#1f4e9c", "#2e9d5b", "#d98b1f"];
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: function (value) { return value + "%"; } },
    legend: { data: data.series.map(function (s) { return s.name; }), top: 0 },
    grid: { left: 40, right: 8, bottom: narrow ? 110 : 70, top: 36 },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: rotate, fontSize: narrow ? 10 : 12 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: data.series.map(function (s, i) {
      return { name: s.name, type: "bar", data: s.data, itemStyle: { color: colors[i % colors.length] } };
    }),
  });
  chart.on("click", function (params) {
    const code = data.codes[params.dataIndex];
    if (code) window.location.href = element.dataset.drillUrl + code;
  });
  window.addEventListener("resize", function () { chart.resize(); });
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    const source = document.getElementById(element.dataset.chart);
    if (!source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    if (element.dataset.chart === "campaign-overview") drawCampaignOverview(element, data);
    if (element.dataset.chart === "acceptance-dashboard") drawAcceptanceDashboard(element, data);
  });
});

// Inspection forms: fill hidden [data-geo] fields with the device's position when allowed.
document.addEventListener("DOMContentLoaded", function () {
  const lat = document.querySelector('[data-geo="latitude"]');
  const lon = document.querySelector('[data-geo="longitude"]');
  if (!lat || !lon || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (position) {
    lat.value = position.coords.latitude.toFixed(6);
    lon.value = position.coords.longitude.toFixed(6);
    const status = document.querySelector("[data-geo-status]");
    if (status) status.textContent = "已获取位置：" + lat.value + ", " + lon.value;
  }, function () {}, { enableHighAccuracy: true, timeout: 10000 });
});

// A table wider than the screen scrolls sideways: keyboard users reach that scroll only if the box
// takes focus (WCAG 2.1.1; axe-core's scrollable-region-focusable), so every such box becomes focusable.
function focusableScrollBoxes() {
  document.querySelectorAll(".table-responsive").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", "可左右滚动的表格");
      box.setAttribute("role", box.getAttribute("role") || "region");
    }
  });
}
document.addEventListener("DOMContentLoaded", focusableScrollBoxes);
window.addEventListener("resize", focusableScrollBoxes);
document.addEventListener("htmx:afterSettle", focusableScrollBoxes);
