// The supervisors' dashboard: figures read from the API with the signed-in session (or a token given as
// #token=… in the address), drawn with Chart.js. Every text from the server is put on the page as text
// (textContent), never as markup: a customer's words cannot become part of the page.
"use strict";

const TEXTS = {
  "zh-CN": {
    title: "客户评价看板", from: "从", to: "到", team: "团队", apply: "查看", trend: "满意度与净推荐值趋势",
    breakdown: "按客服", drill: "点击柱形查看该客服的评价", when: "时间", text: "文字", flag: "标记",
    tickets: "工单与时限", leaderboard: "本月团队排行", rank: "名次", person: "人员", score: "得分",
    answers: "回答数", points: "积分", suspect: "可疑", signin: "请先登录：", few: "样本较少，仅供参考",
    opened: "新开工单", sla: "时限达成率", recovery: "差评挽回率", none: "没有数据",
    topics: "客户在说什么", keyword: "关键词", count: "次数", rising: "上升", positive: "正面", neutral: "中性",
    negative: "负面", dimensions: "服务细分维度（均值）", mean: "均值",
  },
  en: {
    title: "Customer feedback dashboard", from: "From", to: "To", team: "Team", apply: "Show",
    trend: "CSAT and NPS over time", breakdown: "By agent", drill: "Click a bar for that agent's evaluations",
    when: "When", text: "Text", flag: "Flag", tickets: "Tickets and deadlines", leaderboard: "This month's team ranking",
    rank: "Rank", person: "Person", score: "Score", answers: "Answers", points: "Points", suspect: "suspect",
    signin: "Sign in first: ", few: "few answers: read with care", opened: "Tickets opened",
    sla: "Deadlines met", recovery: "Unhappy customers won back", none: "No data",
    topics: "What customers talk about", keyword: "Keyword", count: "Mentions", rising: "Rising",
    positive: "positive", neutral: "neutral", negative: "negative", dimensions: "Service dimensions (mean)",
    mean: "mean",
  },
};

const params = new URLSearchParams(location.search);
const lang = params.get("lang") === "en" ? "en" : "zh-CN";
const T = TEXTS[lang];
const token = new URLSearchParams(location.hash.slice(1)).get("token");
const charts = {};

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function say(message) {
  const m = document.getElementById("message");
  m.hidden = !message;
  m.textContent = message || "";
}

async function api(path) {
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const r = await fetch(path, { headers, credentials: "same-origin" });
  if (r.status === 401) {
    say(T.signin + location.origin + "/signin");
    throw new Error("unauthorised");
  }
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ? body.error.message : r.status);
  return body;
}

// The filters as a query; the team left out where the figures are grouped by another dimension.
function query(extra, withTeam = true) {
  const f = document.getElementById("filters");
  const q = new URLSearchParams({ from: f.from.value, to: f.to.value });
  if (withTeam && f.team.value) q.set("team", f.team.value);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q;
}

function draw(id, config) {
  if (charts[id]) charts[id].destroy();
  charts[id] = new Chart(document.getElementById(id), config);
}

async function trend() {
  const body = await api("/api/v1/stats?" + query({ interval: "month", metrics: "answers,csat,nps" }));
  const g = body.groups[0];
  const few = g.buckets.some((b) => b.figures.csat.warning);
  document.getElementById("trend-note").textContent = few ? T.few : "";
  draw("trend-chart", {
    type: "line",
    data: {
      labels: g.buckets.map((b) => b.from.slice(0, 7)),
      datasets: [
        { label: "CSAT %", data: g.buckets.map((b) => b.figures.csat.value), borderColor: "#2563eb" },
        { label: "NPS", data: g.buckets.map((b) => b.figures.nps.value), borderColor: "#dc2626" },
      ],
    },
    options: { animation: false, spanGaps: true },
  });
}

async function drilldown(agent) {
  const f = document.getElementById("filters");
  const from = Date.parse(f.from.value + "T00:00:00+08:00");
  const to = Date.parse(f.to.value + "T23:59:59+08:00");
  const q = new URLSearchParams({ agent, from, to, limit: 50 });
  const body = await api("/api/v1/evaluations?" + q);
  document.getElementById("drilldown-title").textContent = agent;
  const rows = document.getElementById("drilldown-rows");
  rows.replaceChildren();
  for (const e of body.items) {
    const tr = el("tr");
    tr.append(el("td", new Date(e.created_at).toLocaleString(lang)), el("td", e.scores.csat ?? "", "n"),
              el("td", e.scores.nps ?? "", "n"), el("td", e.hidden ? "" : e.text ?? ""), el("td", e.suspect ? T.suspect : ""));
    rows.append(tr);
  }
  document.getElementById("drilldown").hidden = false;
}

async function breakdown() {
  let body;
  try {
    body = await api("/api/v1/stats?" + query({ group_by: "agent", metrics: "answers,csat" }, false));
  } catch (e) {
    document.getElementById("breakdown").hidden = true; // an agent sees their own figures only
    return;
  }
  const groups = body.groups.filter((g) => g.total.answers.value > 0);
  draw("breakdown-chart", {
    type: "bar",
    data: {
      labels: groups.map((g) => g.value),
      datasets: [{ label: "CSAT %", data: groups.map((g) => g.total.csat.value), backgroundColor: "#60a5fa" }],
    },
    options: {
      animation: false,
      onClick: (_event, elements) => { if (elements.length) drilldown(groups[elements[0].index].value); },
    },
  });
}

// The mean of each dimension of the tenant's survey (response speed, attitude…), named as the survey names it.
async function dimensions() {
  const body = await api("/api/v1/stats?" + query({})); // the default metrics hold every dimension's mean
  const labels = body.labels || {}, keys = Object.keys(labels), total = body.groups[0].total;
  document.getElementById("dimensions").hidden = keys.length === 0;
  if (!keys.length) return;
  draw("dimensions-chart", {
    type: "bar",
    data: {
      labels: keys.map((k) => labels[k][lang]),
      datasets: [{ label: T.mean, data: keys.map((k) => total[k].value), backgroundColor: "#34d399" }],
    },
    options: { animation: false, indexAxis: "y", scales: { x: { min: 0 } } },
  });
}

function row(table, label, value) {
  const tr = el("tr");
  tr.append(el("th", label), el("td", value, "n"));
  table.append(tr);
}

async function tickets() {
  const body = await api("/api/v1/stats?" + query({ metrics: "answers,tickets" }));
  const t = body.tickets, table = document.getElementById("ticket-rows");
  table.replaceChildren();
  row(table, T.opened, t.opened);
  for (const [k, v] of Object.entries(t.by_class)) row(table, k, v);
  for (const [stage, s] of Object.entries(t.sla)) row(table, T.sla + " · " + stage, s.n ? s.value + "% (" + s.met + "/" + s.n + ")" : "—");
  row(table, T.recovery, t.recovery.n ? t.recovery.value + "% (" + t.recovery.recovered + "/" + t.recovery.n + ")" : "—");
}

async function topics() {
  const body = await api("/api/v1/topics?" + query({ top: 15 }));
  const s = body.sentiment;
  document.getElementById("sentiment").textContent =
    `${T.positive} ${s.positive} · ${T.neutral} ${s.neutral} · ${T.negative} ${s.negative}`;
  const rising = new Set(body.rising.map((r) => r.topic));
  const table = document.getElementById("topic-rows");
  table.replaceChildren();
  for (const k of body.keywords) {
    const tr = el("tr");
    tr.append(el("td", k.keyword), el("td", k.count, "n"), el("td", rising.has(k.keyword) ? "▲" : ""));
    table.append(tr);
  }
}

async function leaderboard() {
  const month = document.getElementById("filters").to.value.slice(0, 7);
  const table = document.getElementById("leaderboard-rows");
  table.replaceChildren();
  let body;
  try {
    body = await api("/api/v1/points/leaderboard?month=" + month);
  } catch (e) {
    const tr = el("tr");
    tr.append(el("td", T.none));
    table.append(tr);
    return;
  }
  for (const r of body.rows) {
    const tr = el("tr");
    tr.append(el("td", r.rank ?? "—", "n"), el("td", r.name || r.person), el("td", r.team ?? ""),
              el("td", r.score ?? "", "n"), el("td", r.csat_answers ?? "", "n"), el("td", r.points ?? "", "n"));
    table.append(tr);
  }
}

async function refresh(event) {
  if (event) event.preventDefault();
  say("");
  for (const part of [trend, breakdown, dimensions, topics, tickets, leaderboard]) {
    try {
      await part();
    } catch (e) {
      if (e.message !== "unauthorised") say(e.message);
    }
  }
  document.body.dataset.ready = "yes"; // for the browser test
}

function start() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = T[e.dataset.t];
  document.title = T.title;
  const link = document.getElementById("lang");
  link.textContent = lang === "en" ? "中文" : "English";
  link.href = lang === "en" ? "?lang=zh-CN" + location.hash : "?lang=en" + location.hash;
  const f = document.getElementById("filters");
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  f.to.value = params.get("to") || today;
  f.from.value = params.get("from") || (Number(today.slice(0, 4)) - 1) + today.slice(4, 8) + "01";
  f.team.value = params.get("team") || "";
  f.addEventListener("submit", refresh);
  refresh();
}

document.addEventListener("DOMContentLoaded", start);
