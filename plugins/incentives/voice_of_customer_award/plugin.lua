-- 激励策略：客户之声激励奖 / Incentive policy: the Voice of the Customer award (staff; seeds 001 §3.3)
--
-- 何时 When:   季度结束后管理员评奖时（POST /api/v1/points/awards {quarter = "2026-Q3"}，内核调用 "award"）。
--              When an admin runs the quarter's award once it is over (POST /api/v1/points/awards
--              {quarter = "2026-Q3"}: the core calls "award" with the quarter's figures).
-- 条件 If:     当季满意度回答不少于 min_answers 条（默认 30）、且是本租户人员的人参评。
--              People of the tenant with at least min_answers (30) CSAT answers in the quarter.
-- 动作 Then:   按满意度好评（4–5 分）比例的威尔逊下限（95%）取前 winners 名（默认 3），每人 points 分（默认 500）。
--              分数相同时回答多者在前，再相同按人员编号。
--              The top `winners` (3) by the Wilson lower bound (95%) of the share of good CSAT answers
--              (4 or 5), `points` (500) each. Ties: more answers first, then the person's id.
--
-- 归属 Attribution: 数字由内核给出（可疑评价已排除，复核排除的计入）；内核为每位获奖者记一条账本记录，
--   同一季度再次评奖不会重复记录。
--   The figures are the core's (suspect answers left out, cleared ones counted); the core records one
--   ledger entry per winner, and running the same quarter again records nothing new.
--
-- 修改设置：在租户文件（如 conf/tenants/demo.lua）的 plugins 中写，然后 `vocd check` 并重新加载：
-- Settings are changed in the tenant file (for example conf/tenants/demo.lua), then `vocd check` and reload:
--
--   ["incentives/voice_of_customer_award"] = { winners = 3, min_answers = 30, points = 500 },

local settings = vocd.settings

vocd.handle("award", function(q)
  local people = {}
  for _, person in ipairs(vocd.people()) do people[person.id] = true end
  local eligible = {}
  for _, f in ipairs(q.figures or {}) do
    local n, good = f.csat_answers or 0, f.csat_good or 0
    if people[f.person] and n >= settings.min_answers then
      eligible[#eligible + 1] = { person = f.person, n = n, good = good, score = vocd.wilson_lower(good, n) }
    end
  end
  table.sort(eligible, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    if a.n ~= b.n then return a.n > b.n end
    return a.person < b.person
  end)
  local winners = {}
  for i = 1, math.min(settings.winners, #eligible) do
    local e = eligible[i]
    winners[i] = {
      person = e.person,
      points = settings.points,
      reason = {
        ["zh-CN"] = string.format("%s 客户之声激励奖第 %d 名：满意度好评 %d/%d（威尔逊下限 %.4f）",
                                  q.period, i, e.good, e.n, e.score),
        en = string.format("Voice of the Customer award %s, #%d: %d of %d CSAT answers good (Wilson lower bound %.4f)",
                           q.period, i, e.good, e.n, e.score),
      },
    }
  end
  return { winners = winners }
end)

return { version = "1.0.0", api = 1, audience = "staff" }
