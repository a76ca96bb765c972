-- 报表格式：网页（HTML）/ Report format: a web page (HTML)
--
-- 作用 What:  一个独立的网页文件：标题、周期、每个部分一张表格；有趋势时附一张折线图（内嵌 SVG，不引用任何外部文件，
--             离线也能打开、打印或作为邮件附件）。
--             One self-contained page: the title, the period, a table per section, and for a trend a line
--             chart (inline SVG, nothing fetched from elsewhere: it opens offline, prints, and travels as an
--             attachment).
-- 安全 Safety: 页面中的每一段文字（包括客户与员工写的内容）都经过转义，不会被当作网页代码执行。
--             Every piece of text on the page, customers' and staff's words included, is escaped: none of it
--             can become markup or script.
-- 使用 Use:   GET /api/v1/reports/figures?format=html&interval=month&lang=en
-- 设置 Settings: `brand`（页眉上的机构名称，默认为空）/ the organisation's name at the top of the page.
--   ["reports/html"] = { brand = "Acme 客户服务" },

local settings = vocd.settings

local ESCAPES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }
local function esc(v)
  if v == nil or v == vocd.json.null then return "" end
  return (tostring(v):gsub("[&<>\"']", ESCAPES))
end

local COLOURS = { "#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2" }

-- A line chart of the series, scaled to their own range (CSAT 0-100, NPS -100-100 share one axis).
local function chart(c, lang)
  local w, h, pad = 720, 260, 40
  local lo, hi, n = math.huge, -math.huge, 0
  for _, s in ipairs(c.series) do
    n = math.max(n, #s.points)
    for _, p in ipairs(s.points) do
      if type(p.y) == "number" then lo, hi = math.min(lo, p.y), math.max(hi, p.y) end
    end
  end
  if n == 0 or lo == math.huge then return "" end
  if hi == lo then hi, lo = hi + 1, lo - 1 end
  local function x(i) return pad + (n == 1 and (w - 2 * pad) / 2 or (i - 1) * (w - 2 * pad) / (n - 1)) end
  local function y(v) return h - pad - (v - lo) * (h - 2 * pad) / (hi - lo) end
  local out = { string.format('<figure><figcaption>%s</figcaption><svg xmlns="http://www.w3.org/2000/svg" ' ..
    'viewBox="0 0 %d %d" role="img" width="100%%">', esc(vocd.i18n(c.title, lang)), w, h) }
  out[#out + 1] = string.format('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>', pad, h - pad, w - pad, h - pad)
  out[#out + 1] = string.format('<text x="4" y="%d" font-size="11">%.1f</text><text x="4" y="%d" font-size="11">%.1f</text>',
    pad, hi, h - pad, lo)
  for k, s in ipairs(c.series) do
    local pts = {}
    for i, p in ipairs(s.points) do
      if type(p.y) == "number" then pts[#pts + 1] = string.format("%.1f,%.1f", x(i), y(p.y)) end
    end
    local colour = COLOURS[(k - 1) % #COLOURS + 1]
    out[#out + 1] = string.format('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>', colour,
                                  table.concat(pts, " "))
    out[#out + 1] = string.format('<text x="%d" y="%d" font-size="12" fill="%s">%s</text>', pad + 8, 14 + 14 * k,
                                  colour, esc(s.name))
  end
  local first, last = c.series[1].points[1], c.series[1].points[#c.series[1].points]
  if first and last then
    out[#out + 1] = string.format('<text x="%d" y="%d" font-size="11">%s</text><text x="%d" y="%d" font-size="11" ' ..
      'text-anchor="end">%s</text>', pad, h - 12, esc(first.x), w - pad, h - 12, esc(last.x))
  end
  out[#out + 1] = "</svg></figure>"
  return table.concat(out)
end

vocd.handle("render", function(report)
  local lang = report.lang
  local title = vocd.i18n(report.title, lang)
  local out = {
    "<!DOCTYPE html>\n<html lang=\"", esc(lang), "\"><head><meta charset=\"utf-8\">",
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>", esc(title), "</title><style>",
    "body{font-family:system-ui,'Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif;margin:2em;color:#111}",
    "table{border-collapse:collapse;margin:0 0 2em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}",
    "th{background:#f3f4f6}td.n{text-align:right}figure{margin:0 0 2em}small{color:#555}",
    "</style></head><body>",
  }
  if settings.brand ~= "" then out[#out + 1] = "<p>" .. esc(settings.brand) .. "</p>" end
  out[#out + 1] = string.format("<h1>%s</h1><p><small>%s – %s · %s</small></p>", esc(title), esc(report.period.from),
                                esc(report.period.to), esc(report.generated_at))
  if report.chart then out[#out + 1] = chart(report.chart, lang) end
  for _, section in ipairs(report.sections or {}) do
    out[#out + 1] = "<h2>" .. esc(vocd.i18n(section.title, lang)) .. "</h2><table><thead><tr>"
    for _, col in ipairs(section.columns) do out[#out + 1] = "<th>" .. esc(vocd.i18n(col.title, lang)) .. "</th>" end
    out[#out + 1] = "</tr></thead><tbody>"
    for _, row in ipairs(section.rows) do
      out[#out + 1] = "<tr>"
      for i = 1, #section.columns do
        local v = row[i]
        out[#out + 1] = (type(v) == "number" and '<td class="n">' or "<td>") .. esc(v) .. "</td>"
      end
      out[#out + 1] = "</tr>"
    end
    out[#out + 1] = "</tbody></table>"
  end
  out[#out + 1] = "</body></html>\n"
  return {
    content_type = "text/html; charset=utf-8",
    filename = string.format("%s-%s-%s.html", report.report, report.period.from, report.period.to),
    body = table.concat(out),
  }
end)

return { version = "1.0.0", api = 1 }
