-- reports/xlsx: the workbook described for the core to write: a sheet per section, header and rows.
local stub = require("vocd_stub")
local sample = require("report_sample")

describe("reports/xlsx", function()
  local cases = {
    { "zh-CN", "合计", { "分组", "回答数", "满意度" } },
    { "en", "Totals", { "group", "answers", "CSAT" } },
  }
  for _, c in ipairs(cases) do
    it("names the sheet and its columns in " .. c[1], function()
      local p = stub.load(stub.plugin_dir(), { column_width = 20 })
      local out = p:call("render", sample.figures(c[1]))
      assert.are.same({}, p.errors)
      local sheet = out.workbook.sheets[1]
      assert.are.same({ c[2], c[3] }, { sheet.name, sheet.header })
      assert.are.same({ 20, 20, 20 }, sheet.widths)
      assert.are.same({ "王芳", 120, 86.4 }, sheet.rows[1])
      assert.are.equal(sample.FORMULA, sheet.rows[3][1]) -- the core writes it as text
      assert.are.equal("figures-2026-01-01-2026-03-31.xlsx", out.filename)
    end)
  end
end)
