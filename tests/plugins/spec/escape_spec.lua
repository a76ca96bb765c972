-- The escape fixture through the stub: every attempt to leave the sandbox fails here too, so a plugin
-- that passes its specs does not rely on something vocd refuses.
local stub = require("vocd_stub")

local DIR = stub.normalise(debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") .. "/../fixtures/workflows/escape")

describe("escape", function()
  -- handler -> why it fails (the message after "<file>:<line>: ")
  local attempts = {
    { "io", "io is not available" },
    { "os_execute", "os.execute is not available" },
    { "os_getenv", "os.getenv is not available" },
    { "os_exit", "os.exit is not available" },
    { "require", "require is not available" },
    { "package", "package is not available" },
    { "debug", "debug is not available" },
    { "dofile", "dofile is not available" },
    { "loadfile", "loadfile is not available" },
    { "string_dump", "string.dump is not available" },
    { "method_dump", "attempt to call a nil value (field 'dump')" },
    { "load_binary", "load: only text chunks are allowed" },
    { "load_global", "load is sandboxed" },
    { "string_meta", "attempt to index a boolean value (local 'mt')" },
    { "string_lib", "attempt to modify a read-only table" },
    { "string_rawset", "attempt to modify a read-only table" },
    { "setmetatable_string", "bad argument #1 to 'setmetatable' (table expected, got boolean)" },
    { "gc", "setmetatable: __gc is not allowed in plugins" },
    { "collectgarbage", "collectgarbage: option 'stop' is not allowed" },
    { "global_env", "_G is not available" },
  }
  local p
  setup(function() p = stub.load(DIR) end)

  for _, case in ipairs(attempts) do
    it(case[1] .. " fails: " .. case[2], function()
      local err = stub.error_of(p.call, p, case[1])
      assert.matches("^" .. DIR:gsub("%p", "%%%0") .. "/plugin.lua:%d+: ", err)
      assert.are.equal(case[2], p.last_error.message)
      assert.are.equal(case[1], p.last_error.hook)
    end)
  end

  it("left string methods and the string metatable alone", function()
    assert.are.equal("ABCD", p:call("upper"))
    assert.are.equal("false", p:call("meta"))
    -- and the test's own Lua too
    assert.are.equal("function", type(string.dump))
    assert.are.equal("ABC", ("abc"):upper())
  end)
end)
