-- reports/html: a self-contained page whose every text is escaped, with a chart for a trend.
local stub = require("vocd_stub")
local sample = require("report_sample")

local function render(settings, lang)
  local p = stub.load(stub.plugin_dir(), settings or {})
  local out = p:call("render", sample.figures(lang))
  assert.are.same({}, p.errors)
  return out.body, out
end

describe("reports/html", function()
  local cases = {
    -- settings, lang, what the page must hold
    { {}, "zh-CN", "<h1>评价统计</h1>" },
    { {}, "en", "<h1>Figures</h1>" },
    { {}, "en", '<html lang="en">' },
    { {}, "zh-CN", "<td>王芳</td><td class=\"n\">120</td>" },
    { {}, "zh-CN", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
    { { brand = "<b>Acme</b>" }, "zh-CN", "<p>&lt;b&gt;Acme&lt;/b&gt;</p>" },
    { {}, "zh-CN", "<polyline" },
  }
  for i, c in ipairs(cases) do
    it("case " .. i, function()
      local body = render(c[1], c[2])
      assert.truthy(body:find(c[3], 1, true), body)
    end)
  end

  it("holds no script and fetches nothing", function()
    local body, out = render()
    assert.falsy(body:find("<script", 1, true))
    assert.falsy(body:find("src=", 1, true))
    assert.falsy(body:find("href=", 1, true))
    assert.are.equal("text/html; charset=utf-8", out.content_type)
  end)
end)
