-- 报表格式：CSV / Report format: CSV
--
-- 作用 What:  把报表的每个部分写成一张表：标题行、列名行、数据行，各部分之间空一行。文件以 UTF-8 BOM 开头、
--             行尾为 CRLF，Excel 与 LibreOffice 双击打开时中文不会乱码。
--             Writes each section of a report as a table: its title, a header, its rows, a blank line
--             between sections. The file starts with the UTF-8 byte order mark and ends lines with CRLF, so
--             that Excel and LibreOffice open it with Chinese intact.
-- 安全 Safety: 以 = + - @ 开头的文字前加一个单引号，打开时不会被当成公式执行。
--             Text starting with = + - @ gets a leading apostrophe: a spreadsheet never runs it as a formula.
-- 使用 Use:   GET /api/v1/reports/figures?format=csv&lang=en
-- 设置 Settings: `separator`（默认 ","；部分欧洲版 Excel 用 ";"）/ the field separator ("," or ";").
--   ["reports/csv"] = { separator = ";" },

local settings = vocd.settings

local function cell(v)
  if v == nil or v == vocd.json.null then return "" end
  if type(v) == "number" then
    if math.type(v) == "integer" or v == math.floor(v) and math.abs(v) < 1e15 then
      return string.format("%d", math.floor(v))
    end
    return tostring(v)
  end
  local s = tostring(v)
  if s:find("^[=+%-@\t\r]") then s = "'" .. s end
  if s:find('[' .. settings.separator .. '"\r\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

-- One line of \p n cells (a missing cell is empty).
local function line(cells, n)
  local out = {}
  for i = 1, n or #cells do out[i] = cell(cells[i]) end
  return table.concat(out, settings.separator) .. "\r\n"
end

vocd.handle("render", function(report)
  local lang = report.lang
  local out = { "\239\187\191", line({ vocd.i18n(report.title, lang) }),
                line({ report.period.from .. " – " .. report.period.to }), "\r\n" }
  for _, section in ipairs(report.sections or {}) do
    out[#out + 1] = line({ vocd.i18n(section.title, lang) })
    local header = {}
    for i, col in ipairs(section.columns) do header[i] = vocd.i18n(col.title, lang) end
    out[#out + 1] = line(header)
    for _, row in ipairs(section.rows) do out[#out + 1] = line(row, #section.columns) end
    out[#out + 1] = "\r\n"
  end
  return {
    content_type = "text/csv; charset=utf-8",
    filename = string.format("%s-%s-%s.csv", report.report, report.period.from, report.period.to),
    body = table.concat(out),
  }
end)

return { version = "1.0.0", api = 1 }
