-- The "good" fixture through the stub: its handlers and its hook, settings (defaults, validation
-- messages identical to core/plugin_schema.c's, read-only), and the sandbox's per-run globals.
local stub = require("vocd_stub")

local FIXTURES = stub.normalise(debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") .. "/../fixtures/workflows")
local GOOD = FIXTURES .. "/good"

describe("the stub", function()
  it("runs under Lua 5.4, like vocd", function()
    assert.are.equal("Lua 5.4", _VERSION)
  end)
end)

describe("good: settings", function()
  it("fills in defaults and keeps given values", function()
    local p = stub.load(GOOD, { threshold = 2, channel = "mail" })
    assert.are.same({ threshold = 2, channel = "mail", tags = {}, retries = 3 }, p.settings)
    assert.are.equal("integer", math.type(p.settings.retries))
  end)

  -- settings -> the message vocd gives (the same cases as tests/unit/test_plugin.c).
  local invalid = {
    { { threshold = "high" }, "settings.threshold: expected number, got string" },
    { {}, "settings.threshold: required setting missing (expected number: score at or below which an "
          .. "evaluation is negative)" },
    { { threshold = 7 }, "settings.threshold: expected at most 5, got 7" },
    { { threshold = -1 }, "settings.threshold: expected at least 0, got -1" },
    { { threshold = 1, channel = "fax" }, 'settings.channel: expected one of "sms", "mail", got "fax"' },
    { { threshold = 1, tags = { "a", 2 } }, "settings.tags[2]: expected string, got number" },
    { { threshold = 1, tags = { "a", "b", "c", "d", "e", "f" } }, "settings.tags: expected at most 5 items, got 6" },
    { { threshold = 1, tags = "a" }, "settings.tags: expected array of string, got string" },
    { { threshold = 1, retries = 1.5 }, "settings.retries: expected integer, got 1.5" },
    { { threshold = 1, treshold = 1 }, "settings.treshold: unknown setting (expected one of: alert_at, channel, "
          .. "notify, retries, tags, threshold, warn_at)" },
    { { threshold = 1, warn_at = 5, alert_at = 3 }, "settings.warn_at: expected less than settings.alert_at (3), got 5" },
    { { threshold = 1, alert_at = 3 }, "settings.warn_at: required when alert_at is set" },
    { { threshold = 1, notify = {} }, "settings.notify: expected at least one of email, phone" },
    { { threshold = 1, notify = { email = 1 } }, "settings.notify.email: expected string, got number" },
    { { threshold = 1, notify = "x" }, "settings.notify: expected table, got string" },
  }
  for _, case in ipairs(invalid) do
    it("refuses " .. case[2], function()
      local settings, problems = stub.check_settings(GOOD, case[1])
      assert.is_nil(settings)
      assert.are.same({ case[2] }, problems)
      assert.has_error(function() stub.load(GOOD, case[1]) end, case[2])
    end)
  end

  it("reports every problem, one per line", function()
    local _, problems = stub.check_settings(GOOD, { threshold = "x", channel = 1 })
    assert.are.same({ 'settings.channel: expected one of "sms", "mail", got 1',
                      "settings.threshold: expected number, got string" }, problems)
  end)

  it("accepts a nested table that satisfies its checks", function()
    local p = stub.load(GOOD, { threshold = 0, notify = { phone = "123" }, warn_at = 1, alert_at = 2 })
    assert.are.same({ phone = "123" }, p.settings.notify)
  end)

  it("is read-only for the plugin", function()
    local p = stub.load(GOOD, { threshold = 2 })
    for _, name in ipairs({ "settings_write", "settings_rawset" }) do
      assert.are.equal(GOOD .. "/plugin.lua:" .. (name == "settings_write" and 63 or 67)
                       .. ": attempt to modify a read-only table", stub.error_of(p.call, p, name))
    end
    assert.are.equal(2, p:call("echo").threshold)
  end)
end)

describe("good: handlers", function()
  local p
  before_each(function()
    p = stub.load(GOOD, { threshold = 2, tags = { "vip" } }, { tenant = "demo" })
  end)

  -- handler, argument -> result (what the core gets back, through JSON)
  local cases = {
    { "echo", { x = 1 }, { arg = { x = 1 }, tenant = "demo", threshold = 2, channel = "sms", tags = { "vip" } } },
    { "strings", nil, "ABCxxx3" },
    { "put", { key = "k", value = { 1, 2 } }, true },
    { "publish", { topic = "review.requested", data = { reason = "low" } }, true },
  }
  for _, case in ipairs(cases) do
    it(case[1] .. " answers", function()
      assert.are.same(case[3], p:call(case[1], case[2]))
      assert.are.same({}, p.errors)
      assert.are.same({}, p:log_lines("error"))
    end)
  end

  it("api: time, json, hmac and i18n behave like the host's", function()
    assert.are.same({
      time_ok = true,
      json = '{"a":[1,2,"x"],"b":1}',
      decoded = { k = { true, false }, n = 1.5 },
      hmac = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
      zh = "你好", en = "hello", fallback = "hello", zh_tw = "你好",
    }, p:call("api"))
  end)

  it("store: put, then get it back; p.stored shows it", function()
    assert.is_true(p:call("put", { key = "a", value = { n = 1 } }))
    assert.are.same({ a = { n = 1 } }, p.stored)
    assert.are.same({ value = { n = 1 } }, p:call("get", { key = "a" }))
    assert.are.same({}, p:call("get", { key = "nothing" }))
  end)

  it("publish is recorded", function()
    p:call("publish", { topic = "review.requested", data = { evaluation = "e1" } })
    assert.are.same({ { topic = "review.requested", data = { evaluation = "e1" } } }, p.published)
    assert.are.equal(GOOD .. "/plugin.lua:0: vocd.publish: invalid topic 'bad topic'",
                     stub.error_of(p.call, p, "publish", { topic = "bad topic", data = {} }))
  end)

  it("keeps module state between runs but not globals", function()
    assert.are.equal(1, p:call("count"))
    assert.are.equal(2, p:call("count"))
    assert.are.same({}, p:call("leak", { value = 1 }))
    assert.are.same({}, p:call("leak", { value = 2 })) -- the global set by the first run is gone
  end)

  it("refuses an unknown handler", function()
    assert.has_error(function() p:call("nosuch") end, "plugin workflows/good has no handler 'nosuch'")
  end)

  it("without storage (vocd check), store and publish raise", function()
    local q = stub.load(GOOD, { threshold = 2 }, { storage = false })
    assert.are.equal(GOOD .. "/plugin.lua:41: vocd.store.get: storage unavailable",
                     stub.error_of(q.call, q, "get", { key = "a" }))
  end)
end)

describe("good: the review.posted hook", function()
  -- events in order -> the "seen" record stored afterwards
  local cases = {
    { { { id = "e1" } }, { n = 1, last_id = "e1", topic = "review.posted" } },
    { { { id = "e1" }, { id = "e2" }, { id = "e3" } }, { n = 3, last_id = "e3", topic = "review.posted" } },
  }
  for i, case in ipairs(cases) do
    it("counts events (case " .. i .. ")", function()
      local p = stub.load(GOOD, { threshold = 2 })
      for _, ev in ipairs(case[1]) do
        assert.are.equal(1, p:emit("review.posted", ev))
      end
      assert.are.same({ seen = case[2] }, p.stored)
      assert.are.same({}, p.published)
      assert.are.same({}, p.errors)
    end)
  end

  it("starts from a stored record", function()
    local p = stub.load(GOOD, { threshold = 2 }, { store = { seen = { n = 41 } } })
    p:emit("review.posted", { id = "e42" })
    assert.are.equal(42, p.stored.seen.n)
  end)

  it("is not run for other topics", function()
    local p = stub.load(GOOD, { threshold = 2 })
    assert.are.equal(0, p:emit("evaluation.updated", { id = "e1" }))
    assert.are.same({}, p.stored)
  end)

  it("fails with the plugin's file and line; what it stored before stays", function()
    local p = stub.load(GOOD, { threshold = 2 })
    assert.are.equal(GOOD .. "/plugin.lua:11: event asked to fail",
                     stub.error_of(p.emit, p, "review.posted", { id = "e1", fail = true }))
    assert.are.same({ hook = "review.posted", file = GOOD .. "/plugin.lua", line = 11,
                      message = "event asked to fail", kind = "error" }, p.last_error)
    assert.are.equal(1, p.stored.seen.n)
  end)
end)
