-- Failing plugins through the stub: errors carry the plugin's file and line (as the host logs them),
-- a failure stays local to its run, loading failures and runaway code are reported like vocd does.
local stub = require("vocd_stub")

local FIXTURES = stub.normalise(debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") .. "/../fixtures/workflows")

describe("raises", function()
  local dir = FIXTURES .. "/raises"
  local file = dir .. "/plugin.lua"

  -- handler -> line, message
  local cases = {
    { "run", 4, "boom 1" },
    { "index_nil", 7, "attempt to index a nil value (field 'missing')" },
    { "table_error", 10, "structured failure" },
  }
  for _, case in ipairs(cases) do
    it(case[1] .. " fails at line " .. case[2] .. " and the next call still works", function()
      local p = stub.load(dir)
      assert.are.equal(file .. ":" .. case[2] .. ": " .. case[3], stub.error_of(p.call, p, case[1], {}))
      assert.are.same({ { hook = case[1], file = file, line = case[2], message = case[3], kind = "error" } }, p.errors)
      assert.are.equal("still fine", p:call("ok"))
      assert.are.equal(1, #p.errors)
    end)
  end

  it("a failing hook fails the event with file and line", function()
    local p = stub.load(dir)
    assert.are.equal(file .. ":13: hook failed", stub.error_of(p.emit, p, "review.posted", { id = 1 }))
    assert.are.equal(13, p.last_error.line)
    assert.are.equal("review.posted", p.last_error.hook)
  end)
end)

describe("loading", function()
  it("badload: the error of plugin.lua with its line", function()
    assert.are.equal(FIXTURES .. "/badload/plugin.lua:3: cannot load this plugin",
                     stub.error_of(stub.load, FIXTURES .. "/badload"))
  end)

  it("a missing plugin is reported", function()
    assert.matches("cannot read " .. FIXTURES .. "/nosuch/schema.lua", stub.error_of(stub.load, FIXTURES .. "/nosuch"),
                   1, true)
  end)

  it("heavyload: loading has its own, larger budget", function()
    local p = stub.load(FIXTURES .. "/heavyload", nil, { limits = { instructions = 500000 } })
    assert.are.equal(45000150000, p:call("at_load"))
    assert.matches("heavyload/plugin.lua:%d+: instruction budget exhausted", stub.error_of(p.call, p, "run"))
    assert.are.equal("budget", p.last_error.kind)
    assert.matches("heavyload/plugin.lua:%d+: while loading: instruction budget exhausted",
                   stub.error_of(stub.load, FIXTURES .. "/heavyload", nil, { limits = { load_instructions = 500000 } }))
  end)
end)

describe("registration", function()
  -- latehook registers from its handlers, after loading: refused like the host does.
  local dir = FIXTURES .. "/latehook"
  local cases = {
    { "run", 3, "vocd.hook('review.posted'): registration is only allowed while the plugin loads" },
    { "handle", 6, "vocd.handle('later'): registration is only allowed while the plugin loads" },
  }
  for _, case in ipairs(cases) do
    it(case[1] .. " is refused after loading", function()
      local p = stub.load(dir)
      assert.are.equal(dir .. "/plugin.lua:" .. case[2] .. ": " .. case[3], stub.error_of(p.call, p, case[1]))
      assert.are.same({}, p.hooks)
      assert.are.same({ "handle", "run" }, p.handles)
    end)
  end
end)

describe("runaway code is stopped", function()
  local limits = { instructions = 200000 }
  local cases = {
    { "loop", { "run" } },
    { "pcallloop", { "run", "nested", "xpcall", "coroutine" } },
  }
  for _, case in ipairs(cases) do
    for _, handler in ipairs(case[2]) do
      it(case[1] .. "." .. handler .. ", and pcall cannot swallow the kill", function()
        local p = stub.load(FIXTURES .. "/" .. case[1], nil, { limits = limits })
        assert.matches(case[1] .. "/plugin.lua:%d+: instruction budget exhausted", stub.error_of(p.call, p, handler))
        assert.are.equal("ok", p:call("ok"))
      end)
    end
  end

  it("string.rep is bounded", function()
    local p = stub.load(FIXTURES .. "/alloc", nil, { limits = { max_string = 100 } })
    assert.matches("alloc/plugin.lua:7: string.rep: result too large (1000 bytes, limit 100)",
                   stub.error_of(p.call, p, "run"), 1, true)
  end)
end)
