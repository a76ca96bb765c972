-- incentives/confirmed_complaint against the stub: ticket events + settings -> the entries of the ledger.
local stub = require("vocd_stub")

local PEOPLE = {
  { id = "a-17", name = "王芳", team = "care", manager = "li" },
  { id = "a-18", name = "赵磊", team = "care", manager = "li" },
  { id = "li", name = "李强", manager = "zhou" },
}

-- A ticket as ticket.changed carries it: the ticket as stored plus `change` (its newest history entry).
local function ticket(id, to, confirmed, over)
  local change = { at = 1700000000000, action = "transition", by = { kind = "user", id = "u-li", role = "supervisor",
                   person = "li" }, note = "refunded", from = "investigating", to = to }
  local t = { id = id, class = "general", state = to, category = "complaint", customer = "c-1", evaluation = "e-" .. id,
              context = { agent = "a-17", team = "care" }, assignee = "a-18", confirmed = confirmed,
              history = { change }, change = change }
  if type(over) == "function" then over(t) end
  for k, v in pairs(type(over) == "table" and over or {}) do t[k] = v end
  return { "ticket.changed", t }
end
local function reviewed(id, decision) return { "evaluation.reviewed", { evaluation = id, decision = decision } } end

local function entries(awards)
  local out = {}
  for _, a in ipairs(awards) do out[#out + 1] = { a.person, a.points, a.ticket, a.key } end
  return out
end

-- name, settings, opts {tickets, suspect}, events -> entries {person, points, ticket, key}, the reasons
-- the core gave for the calls it refused (none unless said: the policy asks only for deductions it may make),
-- and the keys of the grants the core still holds (none unless said)
local CONFIRMED = { t1 = { confirmed = true, evaluation = "e-t1" }, t2 = { confirmed = true, evaluation = "e-t2" } }
local cases = {
  { "resolved as a confirmed complaint: the agent loses 3", nil, { tickets = CONFIRMED }, { ticket("t1", "resolved", true) },
    { { "a-17", -3, "t1", "complaint:t1" } } },
  { "to the assignee", { attribute_to = "assignee", points = 10 }, { tickets = CONFIRMED },
    { ticket("t1", "resolved", true) }, { { "a-18", -10, "t1", "complaint:t1" } } },
  { "resolved, not confirmed: nothing", nil, {}, { ticket("t1", "resolved", false) }, {} },
  { "resolved, confirmed not said: nothing", nil, {}, { ticket("t1", "resolved", nil) }, {} },
  { "another change of a confirmed ticket: nothing", nil, { tickets = CONFIRMED },
    { ticket("t1", "investigating", true), ticket("t1", "closed", true) }, {} },
  { "an assignment (no `to`): nothing", nil, { tickets = CONFIRMED },
    { ticket("t1", nil, true, { change = { action = "assign", assignee = "a-18" } }) }, {} },
  { "the same event twice, or resolved again after reopening: once", nil, { tickets = CONFIRMED },
    { ticket("t1", "resolved", true), ticket("t1", "resolved", true) }, { { "a-17", -3, "t1", "complaint:t1" } } },
  { "an agent who is not one of the people: nothing", nil, { tickets = CONFIRMED },
    { ticket("t1", "resolved", true, { context = { agent = "x-9" } }) }, {} },
  { "no assignee: nothing", { attribute_to = "assignee" }, { tickets = CONFIRMED },
    { ticket("t1", "resolved", true, function(t) t.assignee = nil end) }, {} },
  -- Opened by a suspect answer: the core refuses and holds the deduction; an auditor's decision
  -- (evaluation.reviewed) makes it (cleared) or drops it (confirmed). The policy does nothing about it.
  { "opened by a suspect answer: refused, the core holds it", nil, { tickets = CONFIRMED, suspect = { ["e-t1"] = true } },
    { ticket("t1", "resolved", true) }, {}, { "suspect" }, { "complaint:t1" } },
  { "held, then cleared: the core deducts, once", nil, { tickets = CONFIRMED, suspect = { ["e-t1"] = true } },
    { ticket("t1", "resolved", true), ticket("t1", "resolved", true), reviewed("e-t1", "cleared"),
      reviewed("e-t1", "cleared"), ticket("t1", "resolved", true) },
    { { "a-17", -3, "t1", "complaint:t1" } }, { "suspect", "suspect" } },
  { "held, then confirmed suspect: dropped", nil, { tickets = CONFIRMED, suspect = { ["e-t1"] = true } },
    { ticket("t1", "resolved", true), reviewed("e-t1", "confirmed"), ticket("t1", "resolved", true) }, {},
    { "suspect", "suspect" } },
  { "an answer already confirmed suspect: refused, not held", nil,
    { tickets = CONFIRMED, suspect = { ["e-t1"] = "confirmed" } }, { ticket("t1", "resolved", true) }, {}, { "suspect" } },
  { "a decision on another answer changes nothing", nil, { tickets = CONFIRMED, suspect = { ["e-t1"] = true } },
    { ticket("t1", "resolved", true), reviewed("e-t2", "cleared"), reviewed("e-t9", "confirmed") }, {}, { "suspect" },
    { "complaint:t1" } },
  { "the event says confirmed, the core does not: refused, nothing", nil, { tickets = {} },
    { ticket("t1", "resolved", true) }, {}, { "not confirmed" } },
}

describe("confirmed_complaint", function()
  for _, case in ipairs(cases) do
    it(case[1], function()
      local opts = { people = PEOPLE, tickets = case[3].tickets, suspect = {} }
      for k, v in pairs(case[3].suspect or {}) do opts.suspect[k] = v end
      local p = stub.load(stub.plugin_dir(), case[2], opts)
      for _, step in ipairs(case[4]) do p:emit(step[1], step[2]) end
      assert.are.same(case[5], entries(p.awards))
      local whys = {}
      for _, r in ipairs(p.refusals) do whys[#whys + 1] = r.why end
      assert.are.same(case[6] or {}, whys)
      local held = {}
      for _, h in ipairs(p.held) do held[#held + 1] = h.key end
      assert.are.same(case[7] or {}, held)
      assert.are.same({}, p.errors)
      assert.are.same({}, p:log_lines("error"))
    end)
  end

  it("says why in both languages", function()
    local p = stub.load(stub.plugin_dir(), nil, { people = PEOPLE, tickets = CONFIRMED })
    p:emit(table.unpack(ticket("t2", "resolved", true)))
    assert.are.same({ ["zh-CN"] = "投诉经核实属实（工单 t2）", en = "A complaint confirmed when resolved (ticket t2)" },
                    p.awards[1].reason)
  end)

  it("leaves a suspect answer to the core: the deduction is held as asked and made as asked", function()
    local p = stub.load(stub.plugin_dir(), nil, { people = PEOPLE, tickets = CONFIRMED, suspect = { ["e-t2"] = true } })
    assert.are.same({ "ticket.changed" }, p.hooks) -- no evaluation.reviewed of its own
    p:emit(table.unpack(ticket("t2", "resolved", true)))
    local asked = { person = "a-17", points = -3, ticket = "t2", key = "complaint:t2",
                    reason = { ["zh-CN"] = "投诉经核实属实（工单 t2）", en = "A complaint confirmed when resolved (ticket t2)" } }
    assert.are.same({ asked }, p.held)
    assert.are.same({}, p.stored) -- nothing kept by the policy itself
    p:emit(table.unpack(reviewed("e-t2", "cleared")))
    asked.id = "pt-1"
    assert.are.same({ asked }, p.awards)
    assert.are.same({}, p.held)
    assert.are.same({}, p:log_lines())
  end)

  it("takes a positive number of points", function()
    local _, problems = stub.check_settings(stub.plugin_dir(), { points = -3 })
    assert.are.same({ "settings.points: expected at least 1, got -3" }, problems)
  end)
end)
