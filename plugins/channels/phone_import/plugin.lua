-- Call centre import / 电话回访结果导入
--
-- A call centre phones customers back, reads them the privacy notice, asks the survey's questions and
-- exports the results as a CSV file. Posting that file to
--   POST /channels/phone_import/inbound?tenant=<tenant id>
-- turns each row into an evaluation, with a consent record {notice_version, time of the call, "phone"}.
-- 呼叫中心回访客户（宣读隐私说明、询问问卷问题）后导出 CSV；上传该文件后每行成为一条评价，并带有
-- 知情同意记录 {隐私说明版本, 通话时间, "phone"}。
--
-- All or nothing: if any row cannot be read, nothing is imported and the reply (422) lists every such row
-- by its line number in the file; fix them and send the whole file again. A file that reads cleanly goes
-- to the core, whose reply {"accepted", "rejected": [{"index", "error"}]} names rows by index (0 = the
-- first data row; blank rows are not counted). `?dry_run=1` checks a file without importing it and
-- returns the line of every index. See README.md.

local S = vocd.settings
local MAX_FUTURE_MS = 10 * 60 * 1000 -- a call "in the future" by more than this is a mistake

--- Settings that schema.lua cannot express ----------------------------------------------------------

if S.auth == "signature" and not S.secret then
  error('settings.secret: required with auth = "signature"')
end
if S.auth == "token" and not S.token then
  error('settings.token: required with auth = "token"')
end

-- "+08:00" -> minutes east of UTC; nil if it is not +HH:MM / -HH:MM.
local function parse_offset(s)
  local sign, hh, mm = s:match("^([+-])(%d%d):?(%d%d)$")
  if not sign then return nil end
  hh, mm = tonumber(hh), tonumber(mm)
  if hh > 14 or mm > 59 then return nil end
  local minutes = hh * 60 + mm
  return sign == "-" and -minutes or minutes
end

local DEFAULT_OFFSET = parse_offset(S.utc_offset)
if not DEFAULT_OFFSET then
  error('settings.utc_offset: expected +HH:MM or -HH:MM, got "' .. S.utc_offset .. '"')
end

--- Helpers ------------------------------------------------------------------------------------------

-- A cell's value in an error message: short ones quoted, long ones only measured (they may be text).
local function shown(v)
  if #v <= 32 then return '"' .. v .. '"' end
  return "a value of " .. #v .. " bytes"
end

-- Full-width digits (U+FF10..U+FF19), as Chinese input methods type them, to ASCII.
local function ascii_digits(s)
  return (s:gsub("\xef\xbc([\x90-\x99])", function(b) return string.char(b:byte() - 0x90 + 0x30) end))
end

-- Days from 1970-01-01 to a date of the proleptic Gregorian calendar (without os.time, which would use
-- the server's time zone): years counted from March, so that the leap day ends a year.
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function days_in_month(y, m)
  if m == 2 then
    return (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) and 29 or 28
  end
  return (m == 4 or m == 6 or m == 9 or m == 11) and 30 or 31
end

-- The time of a call -> Unix ms, or nil and why. Accepts Unix ms (13 digits) or seconds (10 digits),
-- and "2026-11-23 10:05[:30]" / "2026/11/23 10:05" / "2026-11-23T10:05:30+08:00" / "…Z"; a time without
-- a zone is in settings.utc_offset.
local function parse_time(s)
  if s:find("^%d+$") then
    if #s == 13 then return math.tointeger(tonumber(s)) end
    if #s == 10 then return math.tointeger(tonumber(s)) * 1000 end
    return nil, "expected Unix ms (13 digits) or seconds (10 digits)"
  end
  local y, mo, d, h, mi, rest = s:match("^(%d%d%d%d)[-/](%d%d?)[-/](%d%d?)[ T](%d%d?):(%d%d)(.*)$")
  if not y then
    return nil, 'expected a date and time such as "2026-11-23 10:05"'
  end
  local sec = 0
  local ss, tail = rest:match("^:(%d%d)(.*)$")
  if ss then
    sec, rest = tonumber(ss), tail
    rest = rest:match("^%.%d+(.*)$") or rest -- fractions of a second: ignored
  end
  local offset
  if rest == "" then
    offset = DEFAULT_OFFSET
  elseif rest == "Z" or rest == "z" then
    offset = 0
  else
    offset = parse_offset(rest)
    if not offset then return nil, "the time zone must be Z or +HH:MM" end
  end
  y, mo, d, h, mi = tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi)
  if mo < 1 or mo > 12 or d < 1 or d > days_in_month(y, mo) or h > 23 or mi > 59 or sec > 59 then
    return nil, "not a valid date and time"
  end
  local seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset * 60
  return seconds * 1000
end

-- Newlines in a piece of text (CRLF counts once, a lone CR or LF once): one pass over it.
local function newlines(s)
  local count, at = 0, 1
  while true do
    local k = s:find("[\r\n]", at)
    if not k then return count end
    count = count + 1
    at = (s:byte(k) == 13 and s:byte(k + 1) == 10) and k + 2 or k + 1
  end
end

--- CSV --------------------------------------------------------------------------------------------
-- RFC 4180 with the usual liberties: CRLF, LF or CR line ends, a last line without one. Returns the
-- records that are not blank, each {line = its first line, fields = {...}, error = why it is malformed
-- (or nil)}, and whether there were more than max_records of them (parsing stops there). A quoted field
-- that is never closed swallows the rest of the file: that is an error for the whole file (nil, line,
-- why), and so is a record of more than MAX_COLUMNS fields.
-- The plugin runs under an instruction budget: the work is done by pattern searches that go from
-- delimiter to delimiter (runs of blank lines and of quotes are taken in one step), so a file of 1 MiB
-- with a hundred rows costs a small part of it. A hostile file (hundreds of thousands of fields) runs out
-- of budget and gets 503 plugin_limit.
local MAX_COLUMNS = 200

local function trim(s)
  local i = s:find("%S")
  if not i then return "" end
  local j = #s
  while s:find("^%s", j) do j = j - 1 end
  return s:sub(i, j)
end

local function blank(rec)
  for _, f in ipairs(rec.fields) do
    if f:find("%S") then return false end
  end
  return true
end

local function parse_csv(text, max_records)
  local records, n, pos, line = {}, #text, 1, 1
  while pos <= n do
    -- blank lines, all at once
    local first = text:find("[^\r\n]", pos)
    if not first then break end
    if first > pos then
      line = line + newlines(text:sub(pos, first - 1))
      pos = first
    end
    local rec = { line = line, fields = {} }
    while true do
      if #rec.fields >= MAX_COLUMNS then
        return nil, rec.line, "more than " .. MAX_COLUMNS .. " fields in one row"
      end
      if text:sub(pos, pos) == '"' then
        -- The field ends at the first run of quotes of odd length: in a run of even length each pair is
        -- one quote of the text.
        local start, close = pos + 1, nil
        pos = start
        while not close do
          local q, e = text:find('"+', pos)
          if not q then return nil, line, "a quoted field is not closed" end
          if (e - q + 1) % 2 == 1 then close = e end
          pos = e + 1
        end
        local raw = text:sub(start, close - 1)
        line = line + newlines(raw)
        rec.fields[#rec.fields + 1] = (raw:gsub('""', '"'))
        if not text:sub(pos, pos):find("^[,\r\n]?$") then
          rec.error = rec.error or "text after the closing quote of a field"
          pos = text:find("[,\r\n]", pos) or n + 1
        end
      else
        local e = text:find('[,\r\n"]', pos) or n + 1
        if text:sub(e, e) == '"' then
          rec.error = rec.error or 'a quote inside a field that does not start with one (quote the whole '
            .. 'field and double the quote: "a ""b"" c")'
          e = text:find("[,\r\n]", e) or n + 1
        end
        rec.fields[#rec.fields + 1] = text:sub(pos, e - 1)
        pos = e
      end
      local d = text:sub(pos, pos)
      if d == "," then
        pos = pos + 1 -- "a,b," at the very end: the next turn reads the empty last field
      else
        if d == "\r" and text:sub(pos + 1, pos + 1) == "\n" then pos = pos + 1 end
        if d ~= "" then
          pos = pos + 1
          line = line + 1
        end
        break
      end
    end
    if not blank(rec) then
      if #records == max_records then return records, true end
      records[#records + 1] = rec
    end
  end
  return records, false
end

--- The header ---------------------------------------------------------------------------------------

local FIELDS = { "invitation", "phone", "csat", "nps", "ces", "tags", "text", "notice_version", "called_at" }
local SCALES = { csat = { 1, 5 }, nps = { 0, 10 }, ces = { 1, 7 } }

-- The header row -> {field = column index}, {dimension id = column index}, or nil and the problems.
local function read_header(rec)
  local problems, at = {}, {}
  for i, name in ipairs(rec.fields) do
    local key = trim(name):lower()
    if key ~= "" then
      if at[key] then
        problems[#problems + 1] = 'column "' .. trim(name) .. '" appears twice'
      end
      at[key] = at[key] or i
    end
  end
  local configured = S.columns or {}
  local cols, dims = {}, {}
  for _, field in ipairs(FIELDS) do
    local name = configured[field] or field
    cols[field] = at[name:lower()]
    if configured[field] and not cols[field] then
      problems[#problems + 1] = 'no column "' .. name .. '" (settings.columns.' .. field .. ")"
    end
  end
  for i, name in ipairs(rec.fields) do
    local id = trim(name):lower():match("^dim_([%w_%-]+)$")
    if id then dims[id] = i end
  end
  for id, name in pairs(S.dimensions or {}) do
    dims[id] = at[name:lower()]
    if not dims[id] then
      problems[#problems + 1] = 'no column "' .. name .. '" (settings.dimensions.' .. id .. ")"
    end
  end
  if not cols.invitation and not cols.phone then
    problems[#problems + 1] = 'needs a column "' .. (configured.invitation or "invitation") .. '" or "'
      .. (configured.phone or "phone") .. '" to find the invitation'
  end
  if not cols.called_at then
    problems[#problems + 1] = 'needs a column "' .. (configured.called_at or "called_at")
      .. '": the time of the call is the time of the consent'
  end
  if #problems > 0 then return nil, problems end
  return cols, dims
end

--- A row ------------------------------------------------------------------------------------------

local function whole_number(v, field, min, max)
  v = ascii_digits(v)
  if not v:find("^%d+$") or #v > 6 then
    return nil, field .. ": expected a whole number, got " .. shown(v)
  end
  local n = math.tointeger(tonumber(v))
  if (min and n < min) or (max and n > max) then
    return nil, string.format("%s: expected %d to %d, got %d", field, min, max, n)
  end
  return n
end

-- A data row -> the normalised answer {invitation | phone, answer, consent}, or nil and why.
local function read_row(rec, cols, dims, now)
  local function cell(index)
    return index and trim(rec.fields[index]) or ""
  end
  local item = {}
  local invitation, phone = cell(cols.invitation), cell(cols.phone)
  if invitation ~= "" then
    item.invitation = invitation
  elseif phone ~= "" then
    -- the call follows up the customer's newest open invitation, whatever channel sent it
    item.phone, item.via = phone, "*"
  else
    return nil, "invitation or phone: one is required"
  end

  local answer, err = {}, nil
  for _, metric in ipairs({ "csat", "nps", "ces" }) do
    local v = cell(cols[metric])
    if v ~= "" then
      answer.scores = answer.scores or {}
      answer.scores[metric], err = whole_number(v, metric, SCALES[metric][1], SCALES[metric][2])
      if err then return nil, err end
    end
  end
  local ids = {}
  for id in pairs(dims) do ids[#ids + 1] = id end
  table.sort(ids) -- the first bad dimension reported is the same every time
  for _, id in ipairs(ids) do
    local v = cell(dims[id])
    if v ~= "" then
      answer.dimensions = answer.dimensions or {}
      answer.dimensions[id], err = whole_number(v, "dimension " .. id, 1, 100)
      if err then return nil, err end
    end
  end
  local tags = cell(cols.tags)
  if tags ~= "" then
    answer.tags = {}
    for tag in (tags:gsub("\xef\xbc\x9b", ";") .. ";"):gmatch("([^;]*);") do
      tag = trim(tag)
      if tag ~= "" then answer.tags[#answer.tags + 1] = tag end
    end
  end
  local text = cell(cols.text)
  if text ~= "" then answer.text = text end
  item.answer = answer

  local version = cell(cols.notice_version)
  if version == "" then version = S.notice_version or "" end
  if version == "" then
    return nil, "notice_version: empty, and the settings give no notice_version"
  end
  local called = cell(cols.called_at)
  if called == "" then return nil, "called_at: required (the time of the call)" end
  local time, why = parse_time(called)
  if not time then return nil, "called_at: " .. why .. ", got " .. shown(called) end
  if time > now + MAX_FUTURE_MS then return nil, "called_at: in the future (" .. called .. ")" end
  item.consent = { notice_version = version, time = time, channel = "phone" }
  return item
end

--- The upload ---------------------------------------------------------------------------------------

-- vocd.json.encode writes an empty table as {}: the report's lists are written as [] by hand.
local function encode_report(report)
  local empty = {}
  for k, v in pairs(report) do
    if type(v) == "table" and next(v) == nil then empty[#empty + 1] = k end
  end
  table.sort(empty)
  for _, k in ipairs(empty) do report[k] = nil end
  local body = vocd.json.encode(report)
  for _, k in ipairs(empty) do
    body = body:sub(1, -2) .. (body == "{}" and "" or ",") .. '"' .. k .. '":[]}'
  end
  return body
end

local function reply(status, report)
  return { response = { status = status, content_type = "application/json; charset=utf-8",
                        body = encode_report(report) } }
end

-- nil when the upload is genuine, else why not.
local function check_auth(req)
  if S.auth == "token" then
    if not vocd.secure_equal(req.headers["x-import-token"], S.token) then return "X-Import-Token: missing or wrong" end
    return nil
  end
  local timestamp = req.headers["x-timestamp"]
  if type(timestamp) ~= "string" or not timestamp:find("^%d+$") or #timestamp > 12 then
    return "X-Timestamp: expected Unix seconds"
  end
  local age = vocd.time() // 1000 - math.tointeger(tonumber(timestamp))
  if age > S.max_age_seconds or -age > S.max_age_seconds then
    return "X-Timestamp: more than " .. S.max_age_seconds .. " seconds from now"
  end
  local expected = vocd.hmac_sha256(S.secret, timestamp .. "." .. req.body)
  if not vocd.secure_equal(req.headers["x-signature"], expected) then return "X-Signature: does not match" end
  return nil
end

-- A problem with the file as a whole: nothing is imported.
local function refuse_file(status, line, message, rows)
  return reply(status, { rows = rows or 0, accepted_rows = 0, rejected = { { line = line, error = message } } })
end

vocd.handle("inbound", function(req)
  local bad = check_auth(req)
  if bad then
    vocd.log.warn("phone import refused from", req.ip, "-", bad)
    return reply(401, { error = bad })
  end
  local dry_run = ("&" .. (req.query or "") .. "&"):find("&dry_run=1&", 1, true) ~= nil
  local text = req.body or ""
  if text:sub(1, 3) == "\xef\xbb\xbf" then text = text:sub(4) end
  local valid, at = utf8.len(text)
  if not valid then
    local line = newlines(text:sub(1, at)) + 1
    return refuse_file(400, line, "not UTF-8 text (a spreadsheet's \"CSV\" may be GBK: save as \"CSV UTF-8\")")
  end
  local records, more, why = parse_csv(text, S.max_rows + 1) -- the header and max_rows rows
  if not records then return refuse_file(400, more, why) end

  local head = records[1] -- blank lines before it are skipped
  if not head then return refuse_file(400, 1, "the file is empty: expected a header row, then the rows") end
  if head.error then return refuse_file(400, head.line, "header: " .. head.error) end
  local cols, dims = read_header(head)
  if not cols then return refuse_file(400, head.line, "header: " .. table.concat(dims, "; ")) end
  local rows = #records - 1
  if rows == 0 then return refuse_file(400, head.line + 1, "no rows after the header", 0) end
  if more then
    return refuse_file(413, head.line, string.format("more than %d rows: at most %d per upload, split the file",
                                                     S.max_rows, S.max_rows), rows + 1)
  end

  local now = vocd.time()
  local answers, lines, rejected = {}, {}, {}
  for i = 2, #records do
    local rec = records[i]
    local item, err
    if rec.error then
      err = rec.error
    elseif #rec.fields ~= #head.fields then
      err = string.format("%d fields, the header has %d", #rec.fields, #head.fields)
    else
      item, err = read_row(rec, cols, dims, now)
    end
    if item then
      item.ref = { line = rec.line } -- the core hands it back with the row's result if it refuses it
      answers[#answers + 1] = item
      lines[#lines + 1] = rec.line
    else
      rejected[#rejected + 1] = { line = rec.line, error = err }
    end
  end
  if dry_run then
    return reply(#rejected > 0 and 422 or 200, { dry_run = true, rows = rows, valid_rows = #answers,
                                                 rejected = rejected, lines = lines })
  end
  if #rejected > 0 then
    return reply(422, { rows = rows, accepted_rows = 0, rejected = rejected,
                        error = "nothing was imported: correct these rows and send the whole file again" })
  end
  -- No response: the core stores each answer and replies {accepted, rejected = [{index, error}]}.
  return { answers = answers }
end)

return { version = "1.0.0", api = 1 }
