-- incentives/sla_bonus against the stub: ticket events + settings -> the entries of the ledger.
local stub = require("vocd_stub")

local PEOPLE = {
  { id = "a-17", name = "王芳", team = "care", manager = "li" },
  { id = "a-18", name = "赵磊", team = "care", manager = "li" },
  { id = "li", name = "李强", manager = "zhou" },
}

local function by(person) return { kind = person and "user" or "rule", id = person and "u-" .. person or "r-1", person = person } end

-- A ticket as ticket.changed carries it: stored ticket + `change`; sla.resolve met or not (nil: no stage).
local function ticket(id, to, met, over)
  local change = { at = 1700000500000, action = "transition", by = by("a-18"), note = "done", from = "investigating", to = to }
  local t = {
    id = id, class = "general", state = to, assignee = "a-18", context = { agent = "a-17" },
    history = { { at = 1700000000000, action = "open", by = by(nil) },
                { at = 1700000100000, action = "assign", by = by("li"), assignee = "a-17" },
                { at = 1700000200000, action = "transition", by = by("a-17"), from = "received", to = "acknowledged" },
                { at = 1700000300000, action = "assign", by = by("li"), assignee = "a-18", previous = "a-17" },
                { at = 1700000400000, action = "transition", by = by("x-9"), from = "acknowledged", to = "investigating" },
                change },
    change = change,
  }
  if met ~= nil then
    t.sla = { resolve = { start = 1700000000000, limit = "7 working days", kind = "working", due_at = 1700600000000,
                          paused_ms = 0, done_at = 1700000500000, met = met } }
  end
  if type(over) == "function" then over(t) end
  return { "ticket.changed", t }
end

local function reviewed(id, decision) return { "evaluation.reviewed", { evaluation = id, decision = decision } } end

local function entries(awards)
  local out = {}
  for _, a in ipairs(awards) do out[#out + 1] = { a.person, a.points, a.ticket, a.key } end
  return out
end

-- name, settings, opts, events -> entries {person, points, ticket, key}, and the keys of the grants the
-- core still holds (none unless said)
local cases = {
  { "resolved in time: the assignee gets 3", nil, nil, { ticket("t1", "resolved", true) },
    { { "a-18", 3, "t1", "sla:t1:a-18" } } },
  { "resolved late: nothing", nil, nil, { ticket("t1", "resolved", false) }, {} },
  { "no resolve stage: nothing", nil, nil, { ticket("t1", "resolved", nil) }, {} },
  { "in time, but not a resolution: nothing", nil, nil,
    { ticket("t1", "investigating", true), ticket("t1", "closed", true) }, {} },
  { "the tenant's points", { points = 5 }, nil, { ticket("t1", "resolved", true) }, { { "a-18", 5, "t1", "sla:t1:a-18" } } },
  { "everyone who worked on it, each once, people only", { attribute_to = "everyone" }, nil,
    { ticket("t1", "resolved", true) },
    { { "a-18", 3, "t1", "sla:t1:a-18" }, { "li", 3, "t1", "sla:t1:li" }, { "a-17", 3, "t1", "sla:t1:a-17" } } },
  { "everyone, without an assignee", { attribute_to = "everyone" }, nil,
    { ticket("t1", "resolved", true, function(t) t.assignee = nil end) },
    { { "li", 3, "t1", "sla:t1:li" }, { "a-17", 3, "t1", "sla:t1:a-17" }, { "a-18", 3, "t1", "sla:t1:a-18" } } },
  { "no assignee: nothing", nil, nil, { ticket("t1", "resolved", true, function(t) t.assignee = nil end) }, {} },
  { "an assignee who is not one of the people: nothing", nil, nil,
    { ticket("t1", "resolved", true, function(t) t.assignee = "x-9" end) }, {} },
  { "delivered twice, or resolved again: once", nil, nil,
    { ticket("t1", "resolved", true), ticket("t1", "resolved", true) }, { { "a-18", 3, "t1", "sla:t1:a-18" } } },
  { "two tickets: one each", nil, nil, { ticket("t1", "resolved", true), ticket("t2", "resolved", true) },
    { { "a-18", 3, "t1", "sla:t1:a-18" }, { "a-18", 3, "t2", "sla:t2:a-18" } } },
  -- Opened by a suspect answer: the core refuses and holds the bonus; an auditor's decision
  -- (evaluation.reviewed) gives it (cleared) or drops it (confirmed). The policy does nothing about it.
  { "opened by a suspect answer: refused, the core holds it", nil,
    { tickets = { t1 = { evaluation = "e1" } }, suspect = { e1 = true } }, { ticket("t1", "resolved", true) }, {},
    { "sla:t1:a-18" } },
  { "held, then cleared: the core gives it, once", nil,
    { tickets = { t1 = { evaluation = "e1" } }, suspect = { e1 = true } },
    { ticket("t1", "resolved", true), ticket("t1", "resolved", true), reviewed("e1", "cleared"), reviewed("e1", "cleared") },
    { { "a-18", 3, "t1", "sla:t1:a-18" } } },
  { "held, then confirmed suspect: dropped", nil,
    { tickets = { t1 = { evaluation = "e1" } }, suspect = { e1 = true } },
    { ticket("t1", "resolved", true), reviewed("e1", "confirmed"), ticket("t1", "resolved", true) }, {} },
}

describe("sla_bonus", function()
  for _, case in ipairs(cases) do
    it(case[1], function()
      local opts = { people = PEOPLE }
      for k, v in pairs(case[3] or {}) do opts[k] = v end
      local p = stub.load(stub.plugin_dir(), case[2], opts)
      for _, step in ipairs(case[4]) do p:emit(step[1], step[2]) end
      assert.are.same(case[5], entries(p.awards))
      local held = {}
      for _, h in ipairs(p.held) do held[#held + 1] = h.key end
      assert.are.same(case[6] or {}, held) -- the keys of the grants the core still holds
      assert.are.same({}, p:log_lines("info")) -- a held bonus is not reported as not given
      assert.are.same({}, p.errors)
      assert.are.same({}, p:log_lines("error"))
    end)
  end

  it("says why in both languages", function()
    local p = stub.load(stub.plugin_dir(), nil, { people = PEOPLE })
    p:emit(table.unpack(ticket("t7", "resolved", true)))
    assert.are.same({ ["zh-CN"] = "工单 t7 在时限内解决", en = "Ticket t7 resolved within its deadline" }, p.awards[1].reason)
  end)

  it("refuses an unknown attribution", function()
    local _, problems = stub.check_settings(stub.plugin_dir(), { attribute_to = "team" })
    assert.are.same({ 'settings.attribute_to: expected one of "assignee", "everyone", got "team"' }, problems)
  end)
end)
