-- The rest of the stubbed API, with small plugins written by the spec itself: timers and the clock,
-- logs and print, topic patterns, the shape plugin.lua must return, schema.lua checks, argument checks.
local stub = require("vocd_stub")

local root = os.tmpname()
os.remove(root)

-- Writes plugins/workflows/<name>/{schema,plugin}.lua under a temporary folder; returns the folder.
local n = 0
local function plugin(code, schema)
  n = n + 1
  local dir = root .. "/workflows/p" .. n
  assert(os.execute("mkdir -p '" .. dir .. "'"))
  for file, text in pairs({ ["plugin.lua"] = code, ["schema.lua"] = schema or "return { fields = {} }" }) do
    local f = assert(io.open(dir .. "/" .. file, "w"))
    f:write(text)
    f:close()
  end
  return dir
end

teardown(function() os.execute("rm -rf '" .. root .. "'") end)

describe("timers and the clock", function()
  local code = [[
vocd.hook("ticket.opened", function(t)
  vocd.timer("remind:" .. t.id, vocd.time() + 3600000, "review.remind", { id = t.id })
end)
vocd.hook("review.remind", function(t) vocd.log.warn("ticket", t.id, "still open") end)
return { version = "0.1.0", api = 1 }
]]

  it("records a timer, fires it when the clock passes it", function()
    local p = stub.load(plugin(code), nil, { now = 1000 })
    p:emit("ticket.opened", { id = 7 })
    assert.are.same({ ["remind:7"] = { at = 3601000, topic = "review.remind", data = { id = 7 } } }, p.timers)
    p:advance(3599999)
    assert.are.same({}, p.published)
    p:advance(1)
    assert.are.same({}, p.timers)
    assert.are.same({ { topic = "review.remind", data = { id = 7 } } }, p.published)
    assert.are.same({ "ticket 7 still open" }, p:log_lines("warn"))
  end)

  it("setting the same key again replaces the timer", function()
    local p = stub.load(plugin(code), nil, { now = 0 })
    p:emit("ticket.opened", { id = 1 })
    p.now = 5000
    p:emit("ticket.opened", { id = 1 })
    assert.are.equal(3605000, p.timers["remind:1"].at)
  end)
end)

describe("hooks", function()
  -- pattern -> topics it gets
  local cases = {
    { "ticket.*", { "ticket.opened", "ticket.closed" }, { "evaluation.created", "ticket" } },
    { "*", { "ticket.opened", "x" }, {} },
    { "a.b", { "a.b" }, { "a.bc", "a" } },
  }
  for _, case in ipairs(cases) do
    it(case[1] .. " matches like the bus", function()
      local p = stub.load(plugin(('vocd.hook(%q, function(d, m) vocd.log.info(m.topic, m.tenant, m.attempt) end)\n'
                                  .. 'return { version = "1.0.0", api = 1 }'):format(case[1])), nil, { tenant = "t1" })
      for _, topic in ipairs(case[2]) do assert.are.equal(1, p:emit(topic, {})) end
      for _, topic in ipairs(case[3]) do assert.are.equal(0, p:emit(topic, {})) end
      local want = {}
      for _, topic in ipairs(case[2]) do want[#want + 1] = topic .. " t1 1" end
      assert.are.same(want, p:log_lines("info"))
    end)
  end

  it("print logs at info level; meta can be set", function()
    local p = stub.load(plugin('vocd.hook("x", function(d, m) print("got", d.v, m.id, m.attempt) end)\n'
                               .. 'return { version = "1.0.0", api = 1 }'))
    p:emit("x", { v = 1.5 }, { id = 99, attempt = 3 })
    assert.are.same({ { level = "info", message = "got\t1.5\t99\t3" } }, p.logs)
  end)

  it("a topic or name is registered once", function()
    local dir = plugin('vocd.hook("x", print)\nvocd.hook("x", print)\nreturn { version = "1.0.0", api = 1 }')
    assert.are.equal(dir .. "/plugin.lua:2: vocd.hook('x'): already registered", stub.error_of(stub.load, dir))
  end)
end)

describe("the shape plugin.lua returns", function()
  local cases = {
    { "return 1", ': expected the file to return a table {version = "x.y.z", api = 1}, got number' },
    { 'return { version = "1.0", api = 1 }', ': version: expected a string "x.y.z" (like "1.0.0"), got 1.0' },
    { 'return { version = "1.0.0" }', ": api: expected the plugin API version it was written for (1), got nil" },
    { 'return { version = "1.0.0", api = 2 }', ": api: written for plugin API 2, this vocd provides API 1" },
    { "local x = = 1", ":1: unexpected symbol near '='" },
  }
  for _, case in ipairs(cases) do
    it("refuses " .. case[1], function()
      local dir = plugin(case[1])
      assert.are.equal(dir .. "/plugin.lua" .. case[2], stub.error_of(stub.load, dir))
    end)
  end
end)

describe("schema.lua", function()
  it("is checked like the host checks it", function()
    local dir = plugin("return { version = '1.0.0', api = 1 }", [[
return { fields = { a = { type = "float" }, b = { type = "string", requried = true }, c = { type = "enum" },
                    d = { type = "number", min = 5, max = 1 } } }]])
    local _, problems = stub.read_schema(dir)
    local file = dir .. "/schema.lua: "
    assert.are.same({
      file .. 'fields.a.type: expected one of "string", "number", "integer", "boolean", "enum", "array", "table"',
      file .. "fields.b.requried: unknown key (expected one of: type, required, default, description, min, max, "
           .. "values, items, fields, checks)",
      file .. "fields.c.values: expected a non-empty list of strings or numbers",
      file .. "fields.d: min (5) is greater than max (1)",
    }, problems)
  end)

  it("refuses an invalid default and checks naming unknown fields", function()
    local dir = plugin("return { version = '1.0.0', api = 1 }", [[
return { fields = { d = { type = "number", default = "x" } }, checks = { { at_least_one_of = { "d", "e" } } } }]])
    local _, problems = stub.read_schema(dir)
    assert.are.same({ dir .. "/schema.lua: fields.d.default: expected number, got string",
                      dir .. "/schema.lua: checks[1].at_least_one_of: e is not a field of the schema" }, problems)
  end)
end)

describe("argument checks of the vocd functions", function()
  local code = [[
vocd.handle("put", function(a) vocd.store.put(a.key, 1) end)
vocd.handle("encode", function() vocd.json.encode({ f = print }) end)
vocd.handle("decode", function(a)
  local v, err = vocd.json.decode(a.text)
  return { none = v == nil, err = err, v = v }
end)
vocd.handle("i18n", function(a) return vocd.i18n(a.t, a.lang) or "none" end)
vocd.handle("tenant", function() return { vocd.tenant, vocd.plugin, vocd.api_version } end)
return { version = "1.0.0", api = 1 }
]]
  local p, dir
  setup(function()
    dir = plugin(code)
    p = stub.load(dir, nil, { tenant = "acme" })
  end)

  it("store keys are 1 to 128 bytes", function()
    assert.are.equal(dir .. "/plugin.lua:1: vocd.store.put: key must be 1 to 128 bytes without NUL",
                     stub.error_of(p.call, p, "put", { key = "" }))
    assert.are.equal(dir .. "/plugin.lua:1: vocd.store.put: key must be 1 to 128 bytes without NUL",
                     stub.error_of(p.call, p, "put", { key = string.rep("k", 129) }))
    p:call("put", { key = string.rep("k", 128) })
    assert.are.equal(1, p.stored[string.rep("k", 128)])
  end)

  it("json.encode refuses functions; decode answers nil and a message", function()
    assert.are.equal(dir .. "/plugin.lua:2: cannot encode a function value", stub.error_of(p.call, p, "encode"))
    assert.are.same({ none = true, err = "invalid JSON" }, p:call("decode", { text = "{" }))
    assert.are.same({ none = false, v = { a = 1 } }, p:call("decode", { text = '{"a":1}' }))
  end)

  -- texts, lang -> the text chosen
  local texts = { ["zh-CN"] = "中", en = "en", de = "de" }
  local cases = { { "de", "de" }, { "zh-TW", "中" }, { "zh_HK", "中" }, { "fr", "en" }, { "zhx", "en" } }
  for _, case in ipairs(cases) do
    it("i18n picks " .. case[2] .. " for " .. case[1], function()
      assert.are.equal(case[2], p:call("i18n", { t = texts, lang = case[1] }))
    end)
  end

  it("i18n falls back to zh-CN, then to any text", function()
    assert.are.equal("中", p:call("i18n", { t = { ["zh-CN"] = "中", ja = "日" }, lang = "fr" }))
    assert.are.equal("日", p:call("i18n", { t = { ja = "日" }, lang = "fr" }))
    assert.are.equal("none", p:call("i18n", { t = {}, lang = "fr" }))
  end)

  it("tenant, plugin and api_version", function()
    assert.are.same({ "acme", "p" .. dir:match("p(%d+)$"), 1 }, p:call("tenant"))
  end)
end)
