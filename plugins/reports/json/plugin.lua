-- 报表格式：JSON / Report format: JSON
--
-- 作用 What:  把报表（评价统计、月度合规报告）原样写成 JSON 文件，供其他系统读取。
--             Writes a report (figures, the monthly compliance report) as a JSON file, for other systems.
-- 使用 Use:   GET /api/v1/reports/figures?format=json 或 / or GET /api/v1/reports/compliance?format=json
-- 设置 Settings: `pretty`（默认 false）：缩进排版，便于人工阅读 / indent the text for people to read.
--   ["reports/json"] = { pretty = true },

local settings = vocd.settings

-- A readable layout: two spaces per level, keys in order (vocd.json.encode sorts them).
local function indent(text)
  local out, level, in_string, escaped = {}, 0, false, false
  for i = 1, #text do
    local c = text:sub(i, i)
    if in_string then
      out[#out + 1] = c
      if escaped then escaped = false elseif c == "\\" then escaped = true elseif c == '"' then in_string = false end
    elseif c == '"' then
      in_string = true
      out[#out + 1] = c
    elseif c == "{" or c == "[" then
      level = level + 1
      out[#out + 1] = c .. "\n" .. string.rep("  ", level)
    elseif c == "}" or c == "]" then
      level = level - 1
      out[#out + 1] = "\n" .. string.rep("  ", level) .. c
    elseif c == "," then
      out[#out + 1] = ",\n" .. string.rep("  ", level)
    elseif c == ":" then
      out[#out + 1] = ": "
    else
      out[#out + 1] = c
    end
  end
  return table.concat(out)
end

vocd.handle("render", function(report)
  local text = vocd.json.encode({
    report = report.report, title = report.title, period = report.period,
    generated_at = report.generated_at, tenant = report.tenant, data = report.data,
  })
  return {
    content_type = "application/json; charset=utf-8",
    filename = string.format("%s-%s-%s.json", report.report, report.period.from, report.period.to),
    body = settings.pretty and indent(text) or text,
  }
end)

return { version = "1.0.0", api = 1 }
