-- reports/csv: what the file holds for a sample report, in both languages and with each separator.
local stub = require("vocd_stub")
local sample = require("report_sample")

local function render(settings, lang)
  local p = stub.load(stub.plugin_dir(), settings or {})
  local out = p:call("render", sample.figures(lang))
  assert.are.same({}, p.errors)
  return out
end

describe("reports/csv", function()
  local cases = {
    -- settings, lang, a line the file must hold
    { {}, "zh-CN", "分组,回答数,满意度\r\n" },
    { {}, "zh-CN", "王芳,120,86.4\r\n" },
    { {}, "en", "group,answers,CSAT\r\n" },
    { { separator = ";" }, "en", "group;answers;CSAT\r\n" },
    { {}, "en", "2026-01-01 – 2026-03-31\r\n" },
  }
  for i, c in ipairs(cases) do
    it("case " .. i .. ": " .. c[3]:gsub("\r\n", ""), function()
      local out = render(c[1], c[2])
      assert.truthy(out.body:find(c[3], 1, true), out.body)
    end)
  end

  it("starts with the byte order mark Excel needs for UTF-8, and says it is CSV", function()
    local out = render()
    assert.are.equal("\239\187\191", out.body:sub(1, 3))
    assert.are.equal("text/csv; charset=utf-8", out.content_type)
    assert.are.equal("figures-2026-01-01-2026-03-31.csv", out.filename)
  end)

  it("quotes what holds the separator or quotes, and never lets text become a formula", function()
    local body = render().body
    assert.truthy(body:find('"\'=HYPERLINK(""http://evil"",""x"")",0,\r\n', 1, true), body)
    assert.truthy(body:find("<script>alert('x')</script>,3,66.7", 1, true))
  end)
end)
