-- The stub's incentive API (docs/plugin-api.md, "Incentive policies"), with small policies written by the
-- spec itself: the audience, vocd.points.award/reward/figures, vocd.people, vocd.wilson_lower, what the
-- core refuses, and the "answer" a customer policy is handed (no scores, no text).
local stub = require("vocd_stub")

local root = os.tmpname()
os.remove(root)

-- Writes plugins/<kinds>/<name>/{schema,plugin}.lua under a temporary folder; returns the folder.
local n = 0
local function plugin(code, kinds)
  n = n + 1
  local dir = root .. "/" .. (kinds or "incentives") .. "/p" .. n
  assert(os.execute("mkdir -p '" .. dir .. "'"))
  for file, text in pairs({ ["plugin.lua"] = code, ["schema.lua"] = "return { fields = {} }" }) do
    local f = assert(io.open(dir .. "/" .. file, "w"))
    f:write(text)
    f:close()
  end
  return dir
end

teardown(function() os.execute("rm -rf '" .. root .. "'") end)

local PEOPLE = {
  { id = "a-17", name = "王芳", team = "care", manager = "li" },
  { id = "a-18", name = "赵磊", team = "care", manager = "li" },
}

-- A staff policy whose handlers pass their argument to the API and return what it answers.
local STAFF = [[
local function pack(...) return { n = select("#", ...), ... } end
vocd.handle("award", function(t) local r = pack(vocd.points.award(t)) return { id = r[1], why = r[2] } end)
vocd.handle("reward", function(t) return vocd.points.reward(t) end)
vocd.handle("figures", function(t) return vocd.points.figures(t) end)
vocd.handle("people", function() return vocd.people() end)
vocd.handle("wilson", function(t) return vocd.wilson_lower(t.good, t.n, t.z) end)
vocd.handle("publish", function(t) return vocd.publish(t.topic, {}) end)
return { version = "1.0.0", api = 1, audience = "staff" }
]]

local CUSTOMERS = [[
vocd.handle("answer", function(a)
  local got = {}
  for k in pairs(a) do got[#got + 1] = k end
  table.sort(got)
  if a.customer == "read-score" then return a.scores end
  if a.customer == "read-text" then return a.text end
  if a.customer == "award" then return vocd.points.award({}) end
  if a.customer == "people" then return vocd.people() end
  if a.customer == "figures" then return vocd.points.figures({ from = "2026-11-01", to = "2026-11-30" }) end
  local id = vocd.points.reward({ customer = a.reward_to or a.customer, coupon = { value = 5 }, reason = "thanks",
                                  evaluation = a.evaluation, key = "k:" .. a.evaluation, channel = "sms" })
  return { keys = got, id = id }
end)
return { version = "1.0.0", api = 1, audience = "customers" }
]]

describe("incentive policies: the audience", function()
  -- what plugin.lua returns -> the load error (after the file name)
  local cases = {
    { 'return { version = "1.0.0", api = 1 }',
      ': audience: expected "staff" or "customers" (whom the policy rewards), got nil' },
    { 'return { version = "1.0.0", api = 1, audience = "agents" }',
      ': audience: expected "staff" or "customers" (whom the policy rewards), got "agents"' },
    { 'vocd.hook("evaluation.created", print)\nvocd.hook("ticket.*", print)\n'
      .. 'return { version = "1.0.0", api = 1, audience = "customers" }',
      ': a customer policy (audience = "customers") may not register vocd.hook (evaluation.created, ticket.*): '
      .. 'the core calls its "answer" handler for every answer instead' },
  }
  for i, case in ipairs(cases) do
    it("refuses case " .. i, function()
      local dir = plugin(case[1])
      assert.are.equal(dir .. "/plugin.lua" .. case[2], stub.error_of(stub.load, dir))
    end)
  end

  it("a staff policy may hook; the audience is kept", function()
    local p = stub.load(plugin('vocd.hook("evaluation.created", print)\n'
                               .. 'return { version = "1.0.0", api = 1, audience = "staff" }'))
    assert.are.equal("staff", p.audience)
    assert.are.equal("customers", stub.load(plugin(CUSTOMERS)).audience)
  end)

  it("other kinds of plugins need no audience and have no ledger", function()
    local dir = plugin('vocd.handle("x", function() return (vocd.people()) end)\nreturn { version = "1.0.0", api = 1 }',
                       "workflows")
    local p = stub.load(dir)
    assert.are.equal(dir .. "/plugin.lua:1: vocd.people: only incentive plugins (plugins/incentives) may use the "
                     .. "points ledger", stub.error_of(p.call, p, "x"))
  end)

  it("the ledger cannot be used while the plugin loads", function()
    local dir = plugin('vocd.people()\nreturn { version = "1.0.0", api = 1, audience = "staff" }')
    assert.matches("plugin.lua:1: vocd.people: not while the plugin loads", stub.error_of(stub.load, dir), 1, true)
  end)

  it("reward.* and points.* are the core's topics", function()
    local p = stub.load(plugin(STAFF))
    for _, topic in ipairs({ "reward.issued", "points.awarded" }) do
      assert.matches("is the core's own kind of event", stub.error_of(p.call, p, "publish", { topic = topic }), 1, true)
    end
  end)
end)

describe("vocd.points.award", function()
  local function load(opts)
    opts = opts or {}
    opts.people = opts.people or PEOPLE
    return stub.load(plugin(STAFF), nil, opts)
  end

  it("records an entry and returns its id; the same key again makes no second entry", function()
    local p = load()
    local t = { person = "a-17", points = 2, reason = { ["zh-CN"] = "好评", en = "good" }, evaluation = "e1", key = "g:e1" }
    assert.are.same({ id = "pt-1" }, p:call("award", t))
    assert.are.same({ id = "pt-1" }, p:call("award", t))
    t.key = "g:e2"
    assert.are.same({ id = "pt-2" }, p:call("award", t))
    assert.are.same({
      { person = "a-17", points = 2, reason = { ["zh-CN"] = "好评", en = "good" }, evaluation = "e1", key = "g:e1", id = "pt-1" },
      { person = "a-17", points = 2, reason = { ["zh-CN"] = "好评", en = "good" }, evaluation = "e1", key = "g:e2", id = "pt-2" },
    }, p.awards)
  end)

  -- the award, opts -> the answer {id, why}, entries made
  local cases = {
    { "suspect evaluation", { person = "a-17", points = 2, reason = "r", evaluation = "e1", key = "k" },
      { suspect = { e1 = true } }, { why = "suspect" }, 0 },
    { "ticket opened by a suspect evaluation", { person = "a-17", points = -3, reason = "r", ticket = "t1", key = "k" },
      { suspect = { e1 = true }, tickets = { t1 = { confirmed = true, evaluation = "e1" } } }, { why = "suspect" }, 0 },
    { "a deduction from an evaluation", { person = "a-17", points = -1, reason = "r", evaluation = "e1", key = "k" },
      {}, { why = "not confirmed" }, 0 },
    { "a deduction from an unconfirmed ticket", { person = "a-17", points = -3, reason = "r", ticket = "t1", key = "k" },
      { tickets = { t1 = { confirmed = false } } }, { why = "not confirmed" }, 0 },
    { "a deduction from an unknown ticket", { person = "a-17", points = -3, reason = "r", ticket = "t9", key = "k" },
      {}, { why = "not confirmed" }, 0 },
    { "a deduction from a confirmed complaint", { person = "a-17", points = -3, reason = "r", ticket = "t1", key = "k" },
      { tickets = { t1 = { confirmed = true } } }, { id = "pt-1" }, 1 },
  }
  for _, case in ipairs(cases) do
    it("the core's refusals: " .. case[1], function()
      local p = load(case[3])
      assert.are.same(case[4], p:call("award", case[2]))
      assert.are.equal(case[5], #p.awards)
      if case[4].why then assert.are.same({ { call = "award", args = case[2], why = case[4].why } }, p.refusals) end
    end)
  end

  it("a grant set aside by hand (p.suspect changed) can be asked again", function()
    local p = load({ suspect = { e1 = true } })
    local t = { person = "a-18", points = 5, reason = "r", evaluation = "e1", key = "k" }
    assert.are.same({ why = "suspect" }, p:call("award", t))
    p.suspect.e1 = nil
    assert.are.same({ id = "pt-1" }, p:call("award", t))
    p:emit("evaluation.reviewed", { evaluation = "e1", decision = "cleared" }) -- the key is used: nothing more
    assert.are.equal(1, #p.awards)
    assert.are.same({}, p.held)
  end)

  -- An answer flagged suspect that no auditor has decided: the core holds the grant and makes it when an
  -- auditor clears the answer (evaluation.reviewed), or drops it when the auditor confirms it.
  local E1 = { person = "a-17", points = 2, reason = "r", evaluation = "e1", key = "g:e1" }
  local T1 = { person = "a-18", points = -3, reason = "r", ticket = "t1", key = "c:t1" }
  local function held_keys(p)
    local out = {}
    for _, h in ipairs(p.held) do out[#out + 1] = h.key end
    return out
  end

  it("the core holds a suspect grant (once per key) and makes it as asked when an auditor clears it", function()
    local p = load({ suspect = { e1 = true } })
    assert.are.same({ why = "suspect" }, p:call("award", E1))
    assert.are.same({ why = "suspect" }, p:call("award", E1)) -- the same key again: held once
    assert.are.same({ E1 }, p.held)
    assert.are.same({}, p.awards)
    assert.are.equal(2, #p.refusals)
    assert.are.equal(0, p:emit("evaluation.reviewed", { evaluation = "e1", decision = "cleared" }))
    local entry = { id = "pt-1" }
    for k, v in pairs(E1) do entry[k] = v end
    assert.are.same({ entry }, p.awards)
    assert.are.same({}, p.held)
    assert.is_nil(p.suspect.e1)
    assert.are.same({ id = "pt-1" }, p:call("award", E1)) -- the key is used now
    p:emit("evaluation.reviewed", { evaluation = "e1", decision = "cleared" })
    assert.are.equal(1, #p.awards)
  end)

  it("cleared: the answer's held grants are made in the order asked; others stay held", function()
    local p = load({ suspect = { e1 = true, e2 = true } })
    for _, key in ipairs({ "a", "b", "c" }) do
      p:call("award", { person = "a-17", points = 1, reason = "r", evaluation = key == "b" and "e2" or "e1", key = key })
    end
    p:emit("evaluation.reviewed", { evaluation = "e1", decision = "cleared" })
    assert.are.same({ { "a", "pt-1" }, { "c", "pt-2" } }, { { p.awards[1].key, p.awards[1].id },
                                                              { p.awards[2].key, p.awards[2].id } })
    assert.are.same({ "b" }, held_keys(p))
    assert.are.equal(true, p.suspect.e2)
  end)

  it("confirmed: the held grants are dropped and later ones refused, not held", function()
    local p = load({ suspect = { e1 = true } })
    p:call("award", E1)
    p:emit("evaluation.reviewed", { evaluation = "e1", decision = "confirmed" })
    assert.are.same({}, p.held)
    assert.are.equal("confirmed", p.suspect.e1)
    assert.are.same({ why = "suspect" }, p:call("award", E1))
    assert.are.same({}, p.held)
    p:emit("evaluation.reviewed", { evaluation = "e1", decision = "cleared" }) -- nothing left to make
    assert.are.same({}, p.awards)
  end)

  it("an answer already confirmed suspect (opts.suspect[id] = \"confirmed\"): refused, not held", function()
    local p = load({ suspect = { e1 = "confirmed" } })
    assert.are.same({ why = "suspect" }, p:call("award", E1))
    assert.are.same({}, p.held)
    assert.are.same({ { call = "award", args = E1, why = "suspect" } }, p.refusals)
  end)

  it("a ticket's grant is held under the evaluation that opened it", function()
    local p = load({ suspect = { e1 = true }, tickets = { t1 = { confirmed = true, evaluation = "e1" } } })
    assert.are.same({ why = "suspect" }, p:call("award", T1))
    assert.are.same({ T1 }, p.held)
    p:emit("evaluation.reviewed", { evaluation = "t1", decision = "cleared" }) -- a ticket id is no answer
    assert.are.same({ "c:t1" }, held_keys(p))
    p:emit("evaluation.reviewed", { evaluation = "e1", decision = "cleared" })
    assert.are.same({ { "a-18", -3, "t1", "c:t1", "pt-1" } },
                    { { p.awards[1].person, p.awards[1].points, p.awards[1].ticket, p.awards[1].key, p.awards[1].id } })
  end)

  it("a deduction without a confirmed complaint is refused as such, suspect or not, and not held", function()
    local p = load({ suspect = { e1 = true }, tickets = { t1 = { confirmed = false, evaluation = "e1" } } })
    assert.are.same({ why = "not confirmed" }, p:call("award", T1))
    assert.are.same({ why = "not confirmed" }, p:call("award", { person = "a-17", points = -1, reason = "r",
                                                                evaluation = "e1", key = "minus" }))
    assert.are.same({}, p.held)
    p:emit("evaluation.reviewed", { evaluation = "e1", decision = "cleared" })
    assert.are.same({}, p.awards)
  end)

  it("the core releases before the plugin's hooks run; clear() keeps what is held", function()
    local p = stub.load(plugin([[
vocd.hook("evaluation.reviewed", function(r)
  local id, why = vocd.points.award({ person = "a-17", points = 2, reason = "r", evaluation = r.evaluation,
                                      key = "g:" .. r.evaluation })
  vocd.log.info(r.decision .. " " .. tostring(id or why))
end)
return { version = "1.0.0", api = 1, audience = "staff" }
]]), nil, { people = PEOPLE, suspect = { e1 = true, e2 = true } })
    -- not a decision: nothing released, e1 stays flagged, and the hook's own ask is held
    p:emit("evaluation.reviewed", { evaluation = "e1", decision = "nothing" })
    assert.are.same({ "nothing suspect" }, p:log_lines("info"))
    assert.are.same({ "g:e1" }, held_keys(p))
    p:clear()
    assert.are.same({ "g:e1" }, held_keys(p))
    p:emit("evaluation.reviewed", { evaluation = "e1", decision = "cleared" })
    assert.are.same({ "cleared pt-1" }, p:log_lines("info"))
    assert.are.same({}, p.held)
    p:emit("evaluation.reviewed", { evaluation = "e2", decision = "confirmed" })
    assert.are.same({ "cleared pt-1", "confirmed suspect" }, p:log_lines("info"))
    assert.are.same({}, p.held)
  end)

  -- a bad award -> the error raised
  local bad = {
    { { person = "x-1", points = 1, reason = "r", evaluation = "e", key = "k" },
      "vocd.points.award: person 'x-1' is not one of the tenant's people" },
    { { person = "a-17", points = 0, reason = "r", evaluation = "e", key = "k" }, "vocd.points.award: points must not be 0" },
    { { person = "a-17", points = 1.5, reason = "r", evaluation = "e", key = "k" },
      "vocd.points.award: points must be a whole number from -100000 to 100000, got 1.5" },
    { { person = "a-17", points = 100001, reason = "r", evaluation = "e", key = "k" },
      "vocd.points.award: points must be a whole number from -100000 to 100000, got 100001" },
    { { person = "a-17", points = 1, reason = "", evaluation = "e", key = "k" },
      "vocd.points.award: reason must be 1 to 200 characters" },
    { { person = "a-17", points = 1, reason = { en = string.rep("x", 201) }, evaluation = "e", key = "k" },
      "vocd.points.award: reason.en must be 1 to 200 characters" },
    { { person = "a-17", points = 1, reason = "r", key = "k" },
      "vocd.points.award: give exactly one of evaluation or ticket (the id the points come from)" },
    { { person = "a-17", points = 1, reason = "r", evaluation = "e", ticket = "t", key = "k" },
      "vocd.points.award: give exactly one of evaluation or ticket (the id the points come from)" },
    { { person = "a-17", points = 1, reason = "r", evaluation = "e" },
      "vocd.points.award: key must be 1 to 128 bytes without NUL" },
  }
  for i, case in ipairs(bad) do
    it("raises for a bad award " .. i, function()
      local p = load()
      assert.matches("plugin.lua:2: " .. case[2], stub.error_of(p.call, p, "award", case[1]), 1, true)
    end)
  end

  it("raises in a staff policy for reward, and without storage", function()
    local p = load()
    assert.matches('vocd.points.reward: only customer policies (audience = "customers") may use it; this policy is for staff',
                   stub.error_of(p.call, p, "reward", {}), 1, true)
    p = load({ storage = false })
    assert.matches("vocd.points.award: storage unavailable", stub.error_of(p.call, p, "award", {}), 1, true)
  end)
end)

describe("vocd.points.figures, vocd.people, vocd.wilson_lower", function()
  local FIGURES = { { person = "a-17", name = "王芳", team = "care", answers = 3, csat_answers = 3, csat_good = 3, points = 6 } }

  it("figures returns opts.figures and records the query; people returns opts.people", function()
    local p = stub.load(plugin(STAFF), nil, { people = PEOPLE, figures = FIGURES })
    assert.are.same(FIGURES, p:call("figures", { from = "2026-11-01", to = "2026-11-30" }))
    assert.are.same({ { from = "2026-11-01", to = "2026-11-30" } }, p.figure_queries)
    assert.are.same(PEOPLE, p:call("people"))
  end)

  -- from, to -> the error
  local bad = {
    { "2026-11", "2026-11-30", 'vocd.points.figures: from and to must be days ("2026-10-01")' },
    { "2026-02-30", "2026-03-01", 'vocd.points.figures: from and to must be days ("2026-10-01")' },
    { "2026-11-02", "2026-11-01", "vocd.points.figures: from must not be after to" },
    { "2025-01-01", "2026-01-02", "vocd.points.figures: at most 366 days" },
  }
  for _, case in ipairs(bad) do
    it("figures refuses " .. case[1] .. ".." .. case[2], function()
      local p = stub.load(plugin(STAFF))
      assert.matches(case[3], stub.error_of(p.call, p, "figures", { from = case[1], to = case[2] }), 1, true)
    end)
  end

  -- good, n, z -> the bound (4 decimals)
  local wilson = { { 0, 0, nil, 0 }, { 3, 3, nil, 0.4385 }, { 290, 300, nil, 0.9397 }, { 10, 20, 1.0, 0.3909 },
                   { 0, 10, nil, 0 } }
  for _, case in ipairs(wilson) do
    it(("wilson_lower(%d, %d)"):format(case[1], case[2]), function()
      local p = stub.load(plugin(STAFF))
      local v = p:call("wilson", { good = case[1], n = case[2], z = case[3] })
      assert.are.equal(case[4], math.floor(v * 10000 + 0.5) / 10000)
    end)
  end

  it("wilson_lower refuses good > n", function()
    local p = stub.load(plugin(STAFF))
    assert.matches("vocd.wilson_lower: expected 0 <= good <= n", stub.error_of(p.call, p, "wilson", { good = 4, n = 3 }),
                   1, true)
  end)
end)

describe("customer policies", function()
  local ANSWER = { evaluation = "e1", customer = "c-1", channel = "sms", lang = "zh-CN", answered_at = 1, useful_chars = 3,
                   tags = 0, first = true }
  local function answer(over)
    local a = {}
    for k, v in pairs(ANSWER) do a[k] = v end
    for k, v in pairs(over or {}) do a[k] = v end
    return a
  end

  it("the answer comes without scores or text, even when the spec gives them", function()
    local p = stub.load(plugin(CUSTOMERS))
    local r = p:call("answer", answer({ scores = { csat = 5 }, csat = 5, text = "很好" }))
    assert.are.same({ "answered_at", "channel", "customer", "evaluation", "first", "lang", "tags", "useful_chars" }, r.keys)
    assert.are.same({ { customer = "c-1", coupon = { value = 5, currency = "CNY" }, reason = "thanks", evaluation = "e1",
                        key = "k:e1", channel = "sms", id = "pt-1" } }, p.rewards)
  end)

  for _, who in ipairs({ "read-score", "read-text" }) do
    it("reading them raises (" .. who .. ")", function()
      local p = stub.load(plugin(CUSTOMERS))
      local err = stub.error_of(p.call, p, "answer", answer({ customer = who, scores = { csat = 5 } }))
      assert.matches("plugin.lua:%d+: customer reward policies are not given scores or text %(no inducement%)$", err)
    end)
  end

  for _, who in ipairs({ "award", "people", "figures" }) do
    it(who .. " raises in a customer policy", function()
      local p = stub.load(plugin(CUSTOMERS))
      assert.matches('only staff policies (audience = "staff") may use it; this policy rewards customers',
                     stub.error_of(p.call, p, "answer", answer({ customer = who })), 1, true)
    end)
  end

  it("rewards go to the one answering or the one who referred them", function()
    local p = stub.load(plugin(CUSTOMERS))
    p:call("answer", answer({ referred_by = "c-9", reward_to = "c-9" }))
    assert.are.equal("c-9", p.rewards[1].customer)
    assert.matches("vocd.points.reward: customer 'c-5' is neither the one answering nor the one who referred them",
                   stub.error_of(p.call, p, "answer", answer({ evaluation = "e2", reward_to = "c-5" })), 1, true)
  end)

  it("clear() forgets the entries, not the keys", function()
    local p = stub.load(plugin(CUSTOMERS))
    p:call("answer", answer())
    p:clear()
    assert.are.same({}, p.rewards)
    assert.are.equal("pt-1", p:call("answer", answer()).id)
    assert.are.same({}, p.rewards)
  end)
end)
