// 解纷工作台: small progressive enhancements; every page works without them except the charts.
"use strict";
const csrf = (document.querySelector('meta[name="csrf"]') || {}).content || "";

function esc(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }

// the full contact: asked for on purpose (each look is kept in the ledger)
const reveal = document.getElementById("reveal");
if (reveal) reveal.addEventListener("click", async () => {
  reveal.disabled = true;
  const r = await fetch(reveal.dataset.url, {method: "POST", headers: {"X-CSRF-Token": csrf, "Accept": "application/json"},
                                             credentials: "same-origin"});
  const data = await r.json();
  if (!r.ok) { reveal.textContent = data.error || "不能查看"; return; }
  document.getElementById("contact").textContent = data.contact || "未留";
  document.getElementById("reporter").textContent = data.reporter_name || "未留姓名";
  document.getElementById("parties").textContent = (data.parties || []).map(p => p.name || p.role).join("、") || "—";
  document.getElementById("description").textContent = data.description;
  reveal.remove();
});

// whom to hand a case to: routing's suggestions with their load
const people = document.querySelector(".people[data-url]");
if (people) fetch(people.dataset.url, {credentials: "same-origin"}).then(r => r.json()).then(data => {
  const rows = (data.people || []).map((p, i) => {
    const full = p.load >= p.capacity ? " full" : "";
    return `<label><input type="checkbox" name="staff" value="${esc(p.id)}"${p.suggested && i < 2 ? "" : ""}>` +
      `<span>${esc(p.name)} <span class="why">${esc(p.role)}${p.why ? "·" + esc(p.why) : ""}</span></span>` +
      `<span class="load${full}">在办 ${p.load}/${p.capacity}</span></label>` +
      (p.suggested && !(data.people[i + 1] || {}).suggested ? "<hr>" : "");
  });
  people.innerHTML = rows.join("") || '<p class="muted">没有可选的人员</p>';
});

// the correction form: one value list at a time
const field = document.getElementById("correct-field");
if (field) {
  const sync = () => document.querySelectorAll('#act-correct select[name="value"]').forEach(s => {
    const on = s.dataset.for === field.value; s.hidden = !on; s.disabled = !on; });
  field.addEventListener("change", sync); sync();
}

// live: a case in my area changed somewhere (any worker): refresh what is shown
function live(onChange) {
  if (!window.EventSource) return;
  const es = new EventSource("/console/api/live");
  let timer = null;
  es.addEventListener("cases", ev => {
    clearTimeout(timer);
    timer = setTimeout(() => onChange(JSON.parse(ev.data).cases || []), 300);   // a burst is one refresh
  });
}
window.jiefenLive = live;

const list = document.getElementById("list");
if (list && list.dataset.live === "1") live(async () => {
  const url = new URL(location.href); url.searchParams.set("partial", "rows");
  const r = await fetch(url, {credentials: "same-origin"});
  if (!r.ok) return;
  list.innerHTML = await r.text();
  const note = document.getElementById("live-note"); note.hidden = false;
  list.dataset.refreshed = String(Number(list.dataset.refreshed || 0) + 1);
});

// the filters fold away on a phone; on a wide screen they are all shown
(function () {
  var more = document.getElementById("more-filters");
  if (more && window.matchMedia("(min-width: 901px)").matches) more.open = true;
})();
