-- incentives/monthly_leaderboard against the stub: the month's figures + settings -> the leaderboard rows.
local stub = require("vocd_stub")

-- A figures row as the core gives it (vocd.points.figures).
local function fig(person, team, answers, good, points)
  return { person = person, name = "N" .. person, team = team, answers = answers, csat_answers = answers,
           csat_good = good, nps_answers = 0, promoters = 0, detractors = 0, points = points or 0 }
end

local function note(n, min)
  return { ["zh-CN"] = string.format("当月满意度回答 %d 条，不足 %d 条，不参与排名", n, min),
           en = string.format("%d CSAT answers this month, fewer than %d: not ranked", n, min) }
end

-- Rows compactly: {person, team, rank or false, score, note?}.
local function compact(rows)
  local out = {}
  for _, r in ipairs(rows) do out[#out + 1] = { r.person, r.team or false, r.rank or false, r.score, r.note } end
  return out
end

local function w(good, n) return math.floor(stub.wilson_lower(good, n) * 10000 + 0.5) / 10000 end

-- name, settings, figures -> rows {person, team, rank, score, note}
local cases = {
  { "290 of 300 beats 3 of 3 (which is not even ranked)", nil,
    { fig("a", "care", 3, 3), fig("b", "care", 300, 290) },
    { { "b", "care", 1, w(290, 300) }, { "a", "care", false, w(3, 3), note(3, 20) } } },
  { "ranked within each team, teams in order, no team last", nil,
    { fig("x", nil, 40, 40), fig("s2", "sales", 50, 30), fig("c1", "care", 20, 19), fig("s1", "sales", 50, 45),
      fig("c2", "care", 100, 80) },
    { { "c1", "care", 1, w(19, 20) }, { "c2", "care", 2, w(80, 100) },
      { "s1", "sales", 1, w(45, 50) }, { "s2", "sales", 2, w(30, 50) },
      { "x", false, 1, w(40, 40) } } },
  { "exactly min_answers is ranked, one fewer is not", nil, { fig("a", "care", 20, 10), fig("b", "care", 19, 19) },
    { { "a", "care", 1, w(10, 20) }, { "b", "care", false, w(19, 19), note(19, 20) } } },
  { "the tenant's threshold", { min_answers = 3 }, { fig("a", "care", 3, 3), fig("b", "care", 300, 290) },
    { { "b", "care", 1, w(290, 300) }, { "a", "care", 2, w(3, 3) } } },
  { "equal figures share a rank; ties listed by id", nil,
    { fig("d", "care", 30, 25), fig("c", "care", 30, 25), fig("e", "care", 30, 10) },
    { { "c", "care", 1, w(25, 30) }, { "d", "care", 1, w(25, 30) }, { "e", "care", 3, w(10, 30) } } },
  { "unranked ones by answers, then id; nobody with no answers is lost", nil,
    { fig("a", "care", 0, 0), fig("b", "care", 5, 1), fig("c", "care", 5, 5) },
    { { "b", "care", false, 0.0 + w(1, 5), note(5, 20) }, { "c", "care", false, w(5, 5), note(5, 20) },
      { "a", "care", false, 0, note(0, 20) } } },
  { "no figures, no rows", nil, {}, {} },
}

describe("monthly_leaderboard", function()
  for _, case in ipairs(cases) do
    it(case[1], function()
      local p = stub.load(stub.plugin_dir(), case[2])
      local out = p:call("leaderboard", { period = "2026-11", from = "2026-11-01", to = "2026-11-30", figures = case[3] })
      assert.are.same(case[4], compact(out.rows))
      assert.are.same({}, p.awards)
      assert.are.same({}, p:log_lines("error"))
    end)
  end

  it("each row carries name, answers, good answers and points; scores have 4 decimals", function()
    local p = stub.load(stub.plugin_dir())
    local out = p:call("leaderboard", { period = "2026-11", figures = { fig("a-17", "care", 300, 290, 42) } })
    assert.are.same({ { person = "a-17", name = "Na-17", team = "care", rank = 1, score = 0.9397, csat_answers = 300,
                        csat_good = 290, points = 42 } }, out.rows)
  end)
end)
