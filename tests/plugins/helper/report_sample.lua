-- A report as the core hands it to a report-format plugin (core/report.h), with hostile text in it: the
-- format specs render it and check what they write.
local M = {}

M.HOSTILE = "<script>alert('x')</script>"
M.FORMULA = "=HYPERLINK(\"http://evil\",\"x\")"

function M.figures(lang)
  return {
    report = "figures", lang = lang or "zh-CN", tenant = "acme",
    title = { ["zh-CN"] = "评价统计", en = "Figures" },
    period = { from = "2026-01-01", to = "2026-03-31" }, generated_at = "2026-04-01T00:00:00Z",
    data = { groups = {} },
    sections = {
      { title = { ["zh-CN"] = "合计", en = "Totals" },
        columns = { { key = "group", title = { ["zh-CN"] = "分组", en = "group" } },
                    { key = "answers", title = { ["zh-CN"] = "回答数", en = "answers" } },
                    { key = "csat", title = { ["zh-CN"] = "满意度", en = "CSAT" } } },
        rows = { { "王芳", 120, 86.4 }, { M.HOSTILE, 3, 66.7 }, { M.FORMULA, 0 } } },
    },
    chart = { title = { ["zh-CN"] = "趋势", en = "Trend" },
              series = { { name = "* CSAT %", points = { { x = "2026-01-01", y = 80 }, { x = "2026-02-01", y = 85.5 },
                                                           { x = "2026-03-01", y = 90 } } } } },
  }
end

return M
