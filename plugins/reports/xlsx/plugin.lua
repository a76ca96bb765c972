-- 报表格式：Excel（XLSX）/ Report format: Excel (XLSX)
--
-- 作用 What:  报表的每个部分成为工作簿中的一张工作表（表名为该部分标题，首行为列名并冻结）。文件由 vocd
--             内核用 libxlsxwriter 生成；文字一律作为文本写入，不会成为公式。
--             Each section of a report becomes a sheet of the workbook (named after the section, the header
--             row frozen). vocd writes the file itself with libxlsxwriter; text is always written as text,
--             never as a formula.
-- 使用 Use:   GET /api/v1/reports/figures?format=xlsx&interval=month
-- 设置 Settings: `column_width`（默认 14）：列宽（字符数）/ the width of the columns, in characters.
--   ["reports/xlsx"] = { column_width = 18 },

local settings = vocd.settings

vocd.handle("render", function(report)
  local lang, sheets = report.lang, {}
  for _, section in ipairs(report.sections or {}) do
    local header, widths, rows = {}, {}, {}
    for i, col in ipairs(section.columns) do
      header[i] = vocd.i18n(col.title, lang)
      widths[i] = settings.column_width
    end
    for r, row in ipairs(section.rows) do
      local cells = {}
      for i = 1, #section.columns do cells[i] = row[i] end
      rows[r] = cells
    end
    sheets[#sheets + 1] = { name = vocd.i18n(section.title, lang), header = header, widths = widths, rows = rows }
  end
  if #sheets == 0 then
    sheets[1] = { name = vocd.i18n(report.title, lang), header = {}, rows = {} }
  end
  return {
    filename = string.format("%s-%s-%s.xlsx", report.report, report.period.from, report.period.to),
    workbook = { sheets = sheets },
  }
end)

return { version = "1.0.0", api = 1 }
