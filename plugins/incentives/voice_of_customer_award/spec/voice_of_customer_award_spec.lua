-- incentives/voice_of_customer_award against the stub: the quarter's figures + settings -> the winners.
local stub = require("vocd_stub")

local PEOPLE = {}
for _, id in ipairs({ "a", "b", "c", "d", "e", "f" }) do PEOPLE[#PEOPLE + 1] = { id = id, name = id:upper(), team = "care" } end

local function fig(person, answers, good)
  return { person = person, name = person:upper(), team = "care", answers = answers, csat_answers = answers,
           csat_good = good, points = 0 }
end

-- Winners compactly: {person, points}.
local function compact(winners)
  local out = {}
  for _, w in ipairs(winners) do out[#out + 1] = { w.person, w.points } end
  return out
end

-- name, settings, figures -> winners {person, points}
local cases = {
  { "the top three by the Wilson bound, 500 each", nil,
    { fig("a", 300, 290), fig("b", 40, 40), fig("c", 100, 60), fig("d", 200, 150), fig("e", 50, 45) },
    { { "a", 500 }, { "b", 500 }, { "e", 500 } } },
  { "fewer than 30 answers cannot win, however good", nil,
    { fig("a", 29, 29), fig("b", 30, 20) }, { { "b", 500 } } },
  { "equal bounds: the id decides", nil,
    { fig("c", 30, 30), fig("b", 30, 30), fig("a", 60, 60), fig("d", 31, 31) },
    { { "a", 500 }, { "d", 500 }, { "b", 500 } } },
  { "equal bounds (0): more answers first", nil,
    { fig("c", 30, 30), fig("a", 30, 0), fig("b", 40, 0) },
    { { "c", 500 }, { "b", 500 }, { "a", 500 } } },
  { "someone who is not one of the people does not win", nil,
    { fig("x-9", 300, 300), fig("a", 300, 200) }, { { "a", 500 } } },
  { "the tenant's settings", { winners = 1, min_answers = 10, points = 800 },
    { fig("a", 10, 10), fig("b", 300, 250) }, { { "b", 800 } } },
  { "nobody eligible, no winners", nil, { fig("a", 5, 5) }, {} },
  { "no figures, no winners", nil, {}, {} },
}

describe("voice_of_customer_award", function()
  for _, case in ipairs(cases) do
    it(case[1], function()
      local p = stub.load(stub.plugin_dir(), case[2], { people = PEOPLE })
      local out = p:call("award", { period = "2026-Q3", from = "2026-07-01", to = "2026-09-30", figures = case[3] })
      assert.are.same(case[4], compact(out.winners))
      assert.are.same({}, p.awards) -- the core records the winners, not the policy
      assert.are.same({}, p:log_lines("error"))
    end)
  end

  it("the reason names the quarter, the rank and the figure, in both languages", function()
    local p = stub.load(stub.plugin_dir(), nil, { people = PEOPLE })
    local out = p:call("award", { period = "2026-Q3", figures = { fig("a", 300, 290) } })
    assert.are.same({ ["zh-CN"] = "2026-Q3 客户之声激励奖第 1 名：满意度好评 290/300（威尔逊下限 0.9397）",
                      en = "Voice of the Customer award 2026-Q3, #1: 290 of 300 CSAT answers good (Wilson lower bound 0.9397)" },
                    out.winners[1].reason)
  end)

  it("the same figures give the same winners (a second run answers the same)", function()
    local p = stub.load(stub.plugin_dir(), nil, { people = PEOPLE })
    local q = { period = "2026-Q3", figures = { fig("a", 300, 290), fig("b", 40, 40), fig("c", 100, 60) } }
    assert.are.same(p:call("award", q), p:call("award", q))
  end)
end)
