-- 激励策略：月度排行榜 / Incentive policy: the monthly leaderboard (staff)
--
-- 何时 When:   有人查看排行榜时（GET /api/v1/points/leaderboard?month=2026-11，内核调用 "leaderboard"）。
--              When someone opens the leaderboard (GET /api/v1/points/leaderboard?month=2026-11: the core
--              calls "leaderboard" with the month's figures).
-- 条件 If:     当月满意度回答不少于 min_answers 条（默认 20）的人参与排名；不足的列在本团队末尾，不排名，并注明原因。
--              People with at least min_answers (20) CSAT answers in the month are ranked; the others are
--              listed at the end of their team, unranked, with the reason.
-- 动作 Then:   按团队分组，组内按满意度好评（4–5 分）比例的威尔逊下限（95%）从高到低排名：3 条全好评不会排在
--              300 条中 290 条好评之前。分数相同且回答数相同者名次相同。
--              Rows grouped by team; within a team, ranked by the Wilson lower bound (95%) of the share of
--              good CSAT answers (4 or 5), highest first: 3 good out of 3 does not beat 290 out of 300.
--              Equal scores with as many answers share a rank.
--
-- 归属 Attribution: 每行是一个人当月的数字（内核给出，可疑评价已排除、已复核排除的计入）；积分是当月账本合计。
--   Each row is one person's figures for the month, as the core counts them (suspect answers left out,
--   cleared ones counted); points is the sum of the month's ledger entries. This policy awards nothing.
--
-- 修改设置：在租户文件（如 conf/tenants/demo.lua）的 plugins 中写，然后 `vocd check` 并重新加载：
-- Settings are changed in the tenant file (for example conf/tenants/demo.lua), then `vocd check` and reload:
--
--   ["incentives/monthly_leaderboard"] = { min_answers = 20 },

local settings = vocd.settings

local function round4(x) return math.floor(x * 10000 + 0.5) / 10000 end

-- Each row's team, its ranked rows first (by score, then answers, then id), then its unranked ones.
vocd.handle("leaderboard", function(q)
  local teams, order = {}, {}
  for _, f in ipairs(q.figures or {}) do
    local team = type(f.team) == "string" and f.team or ""
    if not teams[team] then
      teams[team] = {}
      order[#order + 1] = team
    end
    local answers, good = f.csat_answers or 0, f.csat_good or 0
    table.insert(teams[team], {
      person = f.person, name = f.name, team = f.team, csat_answers = answers, csat_good = good,
      points = f.points or 0, exact = vocd.wilson_lower(good, answers),
    })
  end
  table.sort(order, function(a, b)
    if (a == "") ~= (b == "") then return b == "" end -- people without a team last
    return a < b
  end)

  local rows = {}
  for _, team in ipairs(order) do
    local ranked, unranked = {}, {}
    for _, r in ipairs(teams[team]) do
      if r.csat_answers >= settings.min_answers then ranked[#ranked + 1] = r else unranked[#unranked + 1] = r end
    end
    table.sort(ranked, function(a, b)
      if a.exact ~= b.exact then return a.exact > b.exact end
      if a.csat_answers ~= b.csat_answers then return a.csat_answers > b.csat_answers end
      return tostring(a.person) < tostring(b.person)
    end)
    table.sort(unranked, function(a, b)
      if a.csat_answers ~= b.csat_answers then return a.csat_answers > b.csat_answers end
      return tostring(a.person) < tostring(b.person)
    end)
    for i, r in ipairs(ranked) do
      local prev = ranked[i - 1]
      r.rank = (prev and prev.exact == r.exact and prev.csat_answers == r.csat_answers) and prev.rank or i
    end
    for _, r in ipairs(unranked) do
      r.note = { ["zh-CN"] = string.format("当月满意度回答 %d 条，不足 %d 条，不参与排名", r.csat_answers, settings.min_answers),
                 en = string.format("%d CSAT answers this month, fewer than %d: not ranked", r.csat_answers,
                                    settings.min_answers) }
    end
    for _, list in ipairs({ ranked, unranked }) do
      for _, r in ipairs(list) do
        rows[#rows + 1] = { person = r.person, name = r.name, team = r.team, rank = r.rank, score = round4(r.exact),
                            csat_answers = r.csat_answers, csat_good = r.csat_good, points = r.points, note = r.note }
      end
    end
  end
  return { rows = rows }
end)

return { version = "1.0.0", api = 1, audience = "staff" }
