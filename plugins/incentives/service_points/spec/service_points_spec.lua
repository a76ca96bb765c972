-- incentives/service_points against the stub: evaluation events + settings -> the entries of the ledger.
local stub = require("vocd_stub")

local PEOPLE = {
  { id = "a-17", name = "王芳", team = "care", manager = "li" },
  { id = "a-18", name = "赵磊", team = "care", manager = "li" },
  { id = "a-20", name = "Lucy", team = "care", manager = "li" },
  { id = "li", name = "李强", manager = "zhou" },
  { id = "a-21", name = "Li", team = "sales", manager = "li" },
}

local function ev(id, csat, agent, text)
  return { id = id, scores = { csat = csat, nps = 9 }, context = { agent = agent, team = "care" }, text = text }
end
local function created(e) return { "evaluation.created", e } end
local function reviewed(id, decision) return { "evaluation.reviewed", { evaluation = id, decision = decision } } end

-- What an entry says that matters here: whom, how much, from which answer, under which key.
local function entries(awards)
  local out = {}
  for _, a in ipairs(awards) do out[#out + 1] = { a.person, a.points, a.evaluation, a.key } end
  return out
end

-- name, settings, suspect evaluations (id -> true: flagged, undecided; "confirmed"), events -> entries
-- {person, points, evaluation, key}, and the keys of the grants the core still holds (none unless said)
local cases = {
  { "CSAT 5 earns the agent 2", nil, nil, { created(ev("e1", 5, "a-17")) },
    { { "a-17", 2, "e1", "good:e1" } } },
  { "CSAT 4 is good enough", nil, nil, { created(ev("e1", 4, "a-17")) }, { { "a-17", 2, "e1", "good:e1" } } },
  { "CSAT 3 earns nothing, and costs nothing", nil, nil, { created(ev("e1", 3, "a-17")) }, {} },
  { "CSAT 1 costs nothing", nil, nil, { created(ev("e1", 1, "a-17", "王芳太差了")) }, {} },
  { "no CSAT (NPS only) earns nothing", nil, nil,
    { created({ id = "e1", scores = { nps = 10 }, context = { agent = "a-17" } }) }, {} },
  { "an agent who is not one of the people is skipped", nil, nil, { created(ev("e1", 5, "x-99")) }, {} },
  { "no context, no agent", nil, nil, { created({ id = "e1", scores = { csat = 5 } }) }, {} },
  { "the tenant's own threshold and points", { csat_at_least = 5, points_good = 3 }, nil,
    { created(ev("e1", 4, "a-17")), created(ev("e2", 5, "a-17")) }, { { "a-17", 3, "e2", "good:e2" } } },
  { "the same event twice gives once", nil, nil, { created(ev("e1", 5, "a-17")), created(ev("e1", 5, "a-17")) },
    { { "a-17", 2, "e1", "good:e1" } } },
  { "a named compliment: the agent and the colleague named", nil, nil,
    { created(ev("e1", 5, "a-17", "非常感谢赵磊的耐心解答")) },
    { { "a-17", 2, "e1", "good:e1" }, { "a-18", 5, "e1", "compliment:e1:a-18" } } },
  { "the agent thanked by name gets both", nil, nil, { created(ev("e1", 5, "a-17", "王芳很专业")) },
    { { "a-17", 2, "e1", "good:e1" }, { "a-17", 5, "e1", "compliment:e1:a-17" } } },
  { "English words and names in any case", nil, nil, { created(ev("e1", 4, "x-1", "THANKS lucy, very helpful")) },
    { { "a-20", 5, "e1", "compliment:e1:a-20" } } },
  { "a Latin name stands as a word: Li is not in reliable", nil, nil,
    { created(ev("e1", 5, nil, "Thanks, very reliable")), created(ev("e2", 5, nil, "thanks li!")) },
    { { "a-21", 5, "e2", "compliment:e2:a-21" } } },
  { "two people named", { points_compliment = 7 }, nil, { created(ev("e1", 5, nil, "谢谢王芳和赵磊")) },
    { { "a-17", 7, "e1", "compliment:e1:a-17" }, { "a-18", 7, "e1", "compliment:e1:a-18" } } },
  { "a name without a word of praise is no compliment", nil, nil, { created(ev("e1", 5, nil, "赵磊接的电话")) }, {} },
  { "praise without a name is no compliment", nil, nil, { created(ev("e1", 5, nil, "谢谢，很专业")) }, {} },
  { "a compliment with a low score earns nothing", nil, nil, { created(ev("e1", 3, "a-17", "谢谢赵磊")) }, {} },
  { "the tenant's own words", { compliment_words = { "棒" } }, nil,
    { created(ev("e1", 5, nil, "赵磊真棒")), created(ev("e2", 5, nil, "谢谢赵磊")) },
    { { "a-18", 5, "e1", "compliment:e1:a-18" } } },
  -- A suspect answer: the core refuses and holds the grants; an auditor's decision (evaluation.reviewed)
  -- makes them (cleared) or drops them (confirmed). The policy itself does nothing about it.
  { "a suspect answer earns nothing yet: the core holds it", nil, { e1 = true },
    { created(ev("e1", 5, "a-17", "谢谢赵磊")) }, {}, { "good:e1", "compliment:e1:a-18" } },
  { "cleared by an auditor: the core gives what it held", nil, { e1 = true },
    { created(ev("e1", 5, "a-17", "谢谢赵磊")), reviewed("e1", "cleared") },
    { { "a-17", 2, "e1", "good:e1" }, { "a-18", 5, "e1", "compliment:e1:a-18" } } },
  { "the event twice, cleared twice: given once", nil, { e1 = true },
    { created(ev("e1", 5, "a-17")), created(ev("e1", 5, "a-17")), reviewed("e1", "cleared"),
      reviewed("e1", "cleared"), created(ev("e1", 5, "a-17")) },
    { { "a-17", 2, "e1", "good:e1" } } },
  { "confirmed suspect: the core drops what it held", nil, { e1 = true },
    { created(ev("e1", 5, "a-17")), reviewed("e1", "confirmed"), created(ev("e1", 5, "a-17")) }, {} },
  { "already confirmed suspect: nothing is held", nil, { e1 = "confirmed" }, { created(ev("e1", 5, "a-17")) }, {} },
  { "a decision on another answer changes nothing", nil, { e1 = true },
    { created(ev("e1", 5, "a-17")), reviewed("e2", "cleared"), reviewed("e3", "confirmed") }, {}, { "good:e1" } },
  { "a review of an answer that earned nothing gives nothing", nil, nil, { reviewed("e9", "cleared") }, {} },
  { "a correction changes nothing", nil, nil,
    { created(ev("e1", 5, "a-17")), { "evaluation.corrected", ev("e1", 1, "a-17") } }, { { "a-17", 2, "e1", "good:e1" } } },
}

describe("service_points", function()
  for _, case in ipairs(cases) do
    it(case[1], function()
      local suspect = {}
      for k, v in pairs(case[3] or {}) do suspect[k] = v end
      local p = stub.load(stub.plugin_dir(), case[2], { people = PEOPLE, suspect = suspect })
      for _, step in ipairs(case[4]) do p:emit(step[1], step[2]) end
      assert.are.same(case[5], entries(p.awards))
      local held = {}
      for _, h in ipairs(p.held) do held[#held + 1] = h.key end
      assert.are.same(case[6] or {}, held)
      for _, r in ipairs(p.refusals) do assert.are.equal("suspect", r.why) end -- never a refused deduction
      assert.are.same({}, p.errors)
      assert.are.same({}, p:log_lines("error"))
    end)
  end

  it("gives reasons in both languages", function()
    local p = stub.load(stub.plugin_dir(), nil, { people = PEOPLE })
    p:emit("evaluation.created", ev("e1", 5, "a-17", "谢谢赵磊"))
    assert.are.same({ ["zh-CN"] = "客户满意度 5 分（评价 e1）", en = "CSAT 5 from a customer (evaluation e1)" },
                    p.awards[1].reason)
    assert.are.same({ ["zh-CN"] = "客户点名表扬（评价 e1）", en = "Thanked by name by a customer (evaluation e1)" },
                    p.awards[2].reason)
  end)

  it("never asks for a deduction", function()
    local p = stub.load(stub.plugin_dir(), nil, { people = PEOPLE })
    for csat = 1, 5 do p:emit("evaluation.created", ev("e" .. csat, csat, "a-17", "王芳 差 thanks")) end
    for _, a in ipairs(p.awards) do assert.is_true(a.points > 0) end
    assert.are.same({}, p.refusals)
  end)

  it("leaves a suspect answer to the core: the grant is held as asked and made as asked", function()
    local p = stub.load(stub.plugin_dir(), nil, { people = PEOPLE, suspect = { e1 = true } })
    assert.are.same({ "evaluation.created" }, p.hooks) -- no evaluation.reviewed of its own
    p:emit("evaluation.created", ev("e1", 5, "a-17"))
    local asked = { person = "a-17", points = 2, evaluation = "e1", key = "good:e1",
                    reason = { ["zh-CN"] = "客户满意度 5 分（评价 e1）", en = "CSAT 5 from a customer (evaluation e1)" } }
    assert.are.same({ asked }, p.held)
    assert.are.same({}, p.awards)
    assert.are.same({}, p.stored) -- nothing kept by the policy itself
    p:emit("evaluation.reviewed", { evaluation = "e1", decision = "cleared" })
    asked.id = "pt-1"
    assert.are.same({ asked }, p.awards)
    assert.are.same({}, p.held)
    assert.are.same({}, p:log_lines())
  end)

  it("refuses settings out of range", function()
    local _, problems = stub.check_settings(stub.plugin_dir(), { csat_at_least = 6 })
    assert.are.same({ "settings.csat_at_least: expected at most 5, got 6" }, problems)
  end)
end)
