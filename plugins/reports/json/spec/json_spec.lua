-- reports/json: the report's data as JSON, compact or indented.
local stub = require("vocd_stub")
local sample = require("report_sample")

describe("reports/json", function()
  for _, pretty in ipairs({ false, true }) do
    it("writes the report's data (pretty = " .. tostring(pretty) .. ")", function()
      local p = stub.load(stub.plugin_dir(), { pretty = pretty })
      local out = p:call("render", sample.figures())
      assert.are.same({}, p.errors)
      assert.are.equal("application/json; charset=utf-8", out.content_type)
      local back = stub.json.decode(out.body)
      assert.are.same({ "figures", "2026-01-01", "acme" }, { back.report, back.period.from, back.tenant })
      assert.are.same({ groups = {} }, back.data)
      assert.are.equal(pretty, out.body:find("\n", 1, true) ~= nil)
    end)
  end
end)
