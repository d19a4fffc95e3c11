// 解纷工作台 · 总览: the charts (Apache ECharts, served from here) over the figures the page was
// drawn with; a click on a bar, a point or a heat-map cell opens the case list behind it.
"use strict";
(function () {
  const el = document.getElementById("dash-data");
  if (!el || !window.echarts) return;
  let d = JSON.parse(el.textContent);          // the figures shown now (replaced by a live refresh)
  const font = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
  const charts = new Map();
  function chart(id, option, onClick) {
    const node = document.getElementById(id);
    if (!node) return;
    let c = charts.get(id);
    if (!c) {
      c = echarts.init(node, null, {renderer: "canvas"});
      if (onClick) c.on("click", p => onClick(p));
      charts.set(id, c);
    }
    c.setOption(Object.assign({textStyle: {fontFamily: font}, animation: false}, option), true);
  }
  const go = url => { if (url) location.href = url; };
  const listFor = (extra) => {
    const u = new URL("/console/cases", location.origin);
    if (d.area && !d.county) u.searchParams.set("place", d.area);
    Object.entries(extra).forEach(([k, v]) => u.searchParams.set(k, v));
    return u.pathname + u.search;
  };

  function draw() {
  chart("chart-trend", {
    tooltip: {trigger: "axis"}, legend: {top: 0},
    grid: {left: 40, right: 16, top: 30, bottom: 30},
    xAxis: {type: "category", data: d.trend.labels, axisLabel: {formatter: v => d.trend.unit === "月" ? v : v.slice(5)}},
    yAxis: {type: "value", minInterval: 1},
    series: [
      {name: "受理", type: "line", data: d.trend.received, smooth: true, symbolSize: 5},
      {name: "化解", type: "line", data: d.trend.resolved, smooth: true, symbolSize: 5},
      {name: "上期受理", type: "line", data: d.trend.previous, smooth: true, lineStyle: {type: "dashed"}, symbol: "none"},
    ],
  }, p => {
    if (p.seriesName === "上期受理") return;
    const label = d.trend.labels[p.dataIndex];
    let from = label, to = label;
    if (d.trend.unit === "月") {                // a month: its days inside the period
      const [y, m] = label.split("-").map(Number);
      from = label + "-01";
      to = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
      if (from < d.period.from) from = d.period.from;
      if (to > d.period.to) to = d.period.to;
    }
    go(listFor({from, to}));
  });

  const types = d.by_type.slice(0, 15);
  chart("chart-type", {
    tooltip: {trigger: "axis"}, legend: {top: 0},
    grid: {left: 90, right: 16, top: 30, bottom: 20},
    yAxis: {type: "category", data: types.map(t => t.name).reverse()},
    xAxis: {type: "value", minInterval: 1},
    series: [
      {name: "本期", type: "bar", data: types.map(t => t.cases).reverse()},
      {name: "上期", type: "bar", data: types.map(t => t.before).reverse(), itemStyle: {color: "#c0c7cf"}},
    ],
  }, p => go(d.by_type.slice(0, 15).reverse()[p.dataIndex].link));

  chart("chart-channel", {
    tooltip: {trigger: "item", formatter: "{b}：{c} 件（{d}%）"},
    series: [{type: "pie", radius: ["35%", "65%"], data: d.by_channel.map(c => ({name: c.name, value: c.cases}))}],
  }, p => go(d.by_channel[p.dataIndex].link));

  const h = d.heat;
  // on a phone the columns are narrower than a slanted name: the names stand upright, smaller
  const heatNode = document.getElementById("chart-heat");
  const narrow = heatNode && (heatNode.clientWidth - 126) / Math.max(1, h.types.length) < 36;
  chart("chart-heat", {
    tooltip: {formatter: p => {
        const c = h.cells[p.dataIndex];
      return `${esc(h.places[c.y])} · ${esc(h.types[c.x])}<br>本期 ${c.value} 件，上期 ${c.before} 件`;
    }},
    grid: narrow ? {left: 84, right: 8, top: 10, bottom: 84} : {left: 110, right: 16, top: 10, bottom: 70},
    xAxis: {type: "category", data: h.types, splitArea: {show: true},
            axisLabel: narrow ? {rotate: 90, interval: 0, fontSize: 10} : {rotate: 40, interval: 0}},
    yAxis: {type: "category", data: h.places, splitArea: {show: true}, axisLabel: narrow ? {fontSize: 10} : {}},
    visualMap: {min: 0, max: Math.max(1, h.max), calculable: true, orient: "horizontal", left: "center", bottom: 0,
                itemHeight: 120, inRange: {color: ["#fff7ec", "#fdbb84", "#d7301f", "#7f0000"]}, show: false},
    series: [{type: "heatmap", data: h.cells.map(c => [c.x, c.y, c.value]), label: {show: true,
              formatter: p => p.value[2] || ""}, emphasis: {itemStyle: {borderColor: "#333", borderWidth: 1}}}],
  }, p => go(d.heat.cells[p.dataIndex].link));
  document.body.dataset.charts = String(charts.size);
  }
  draw();
  window.addEventListener("resize", () => { charts.forEach(c => c.resize()); draw(); });   // phone turned: labels refit

  // live: when a case in this area changes, redraw the page (the figures come from the server)
  if (window.jiefenLive) window.jiefenLive(async () => {
    const r = await fetch(location.href, {credentials: "same-origin"});
    if (!r.ok) return;
    const html = new DOMParser().parseFromString(await r.text(), "text/html");
    const fresh = html.getElementById("dash-data");
    if (fresh) { d = JSON.parse(fresh.textContent); draw(); }
    ["headline", "now", "by-type", "by-place", "by-channel", "by-code", "board", "rises"].forEach(id => {
      const fresh = html.getElementById(id), old = document.getElementById(id);
      if (fresh && old) old.replaceWith(fresh);
    });
    const state = document.getElementById("live-state");
    if (state) { state.textContent = "已更新 " + new Date().toLocaleTimeString("zh-CN"); }
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  });
})();
