-- The call centre import against the stub: CSV files in, answers (or a per-line report) out.
local stub = require("vocd_stub")
local hmac = require("vocd_stub.sha256").hmac

local SECRET = "0123456789abcdef-secret"
local SETTINGS = { secret = SECRET, notice_version = "2026-11" }
local NOW = 1700000000000 -- the stub's clock: 2023-11-14 22:13:20 UTC
local T10 = 1699927200000 -- 2023-11-14 10:00 at +08:00

local function with(over)
  local t = {}
  for k, v in pairs(SETTINGS) do t[k] = v end
  for k, v in pairs(over or {}) do t[k] = v end
  return t
end

local function load(settings)
  return stub.load(stub.plugin_dir(), settings or SETTINGS)
end

local function upload(p, body, opts)
  opts = opts or {}
  local ts = opts.timestamp or tostring(NOW // 1000)
  local headers = opts.headers or { ["x-timestamp"] = ts, ["x-signature"] = hmac(SECRET, ts .. "." .. body) }
  return p:call("inbound", { method = "POST", path = "/channels/phone_import/inbound",
                             query = opts.query or "tenant=acme", ip = "10.0.0.7", headers = headers, body = body })
end

local function consent(time, version)
  return { notice_version = version or "2026-11", time = time or T10, channel = "phone" }
end

-- The report a refused upload carries.
local function report(result)
  assert.is_nil(result.answers)
  assert.are.equal("application/json; charset=utf-8", result.response.content_type)
  return stub.json.decode(result.response.body)
end

describe("phone_import: files that read cleanly", function()
  -- CSV -> the answers handed to the core
  local cases = {
    { "one row by invitation",
      "invitation,csat,called_at\n9e05,5,2023-11-14 10:00\n",
      { { invitation = "9e05", answer = { scores = { csat = 5 } }, consent = consent() } } },
    { "by phone, with everything",
      "phone,csat,nps,ces,dim_speed,dim_solved,tags,text,notice_version,called_at\r\n"
        .. "138 1234 5678,2,3,6,1,2,slow；unsolved; ,等了很久,2026-10,2023-11-14 10:05:30\r\n",
      { { phone = "138 1234 5678", via = "*",
          answer = { scores = { csat = 2, nps = 3, ces = 6 }, dimensions = { speed = 1, solved = 2 },
                     tags = { "slow", "unsolved" }, text = "等了很久" },
          consent = consent(1699927530000, "2026-10") } } },
    { "a BOM, quoted fields, \"\" escapes and a newline inside quotes",
      "\xef\xbb\xbfinvitation,csat,text,called_at\n"
        .. "a1,4,\"He said \"\"fine\"\",\nthen hung up\",2023-11-14T02:00:00Z\n"
        .. "\"a2\",\"3\",\"\",\"1699927200000\"",
      { { invitation = "a1", answer = { scores = { csat = 4 }, text = 'He said "fine",\nthen hung up' },
          consent = consent() },
        { invitation = "a2", answer = { scores = { csat = 3 } }, consent = consent() } } },
    { "blank rows skipped, extra columns ignored, headers trimmed and in any case",
      "\n Agent , Invitation ,CSAT,Called_At\n,,,\nZhang,a1,５,1699927200\n\n\n",
      { { invitation = "a1", answer = { scores = { csat = 5 } }, consent = consent() } } },
    { "an invitation id wins over a phone",
      "invitation,phone,csat,called_at\na1,13812345678,1,2023/11/14 10:00\n,13812345678,2,2023-11-14 10:00\n",
      { { invitation = "a1", answer = { scores = { csat = 1 } }, consent = consent() },
        { phone = "13812345678", via = "*", answer = { scores = { csat = 2 } }, consent = consent() } } },
    { "times: zones, seconds, fractions, leap day",
      "invitation,csat,called_at\nz,1,2023-11-14T02:00:00.250Z\nw,1,2023-11-13T21:00-05:00\n"
        .. "l,1,2020-02-29 23:59:59-05:30\n",
      { { invitation = "z", answer = { scores = { csat = 1 } }, consent = consent() },
        { invitation = "w", answer = { scores = { csat = 1 } }, consent = consent() },
        { invitation = "l", answer = { scores = { csat = 1 } }, consent = consent(1583040599000) } } },
    { "runs of quotes: pairs are quotes, an odd run ends the field",
      'invitation,text,csat,called_at\n"""a1""",""""""", ""x"" ","",2023-11-14 10:00\n'
        .. 'a2,"""""","5",2023-11-14 10:00\n',
      { { invitation = '"a1"', answer = { text = '""", "x"' }, consent = consent() },
        { invitation = "a2", answer = { scores = { csat = 5 }, text = '""' }, consent = consent() } } },
    { "CR line ends, no newline at the end, a row that ends with an empty cell",
      "invitation,csat,called_at,text\ra1,1,2023-11-14 10:00,\ra2,2,2023-11-14 10:00,",
      { { invitation = "a1", answer = { scores = { csat = 1 } }, consent = consent() },
        { invitation = "a2", answer = { scores = { csat = 2 } }, consent = consent() } } },
  }
  -- Each answer carries ref = {line = …} for the core to hand back; compared apart from the answer itself.
  local function without_refs(answers)
    local lines = {}
    for i, a in ipairs(answers or {}) do
      lines[i] = a.ref and a.ref.line
      a.ref = nil
    end
    return answers, lines
  end

  for _, case in ipairs(cases) do
    it(case[1], function()
      local result = upload(load(), case[2])
      assert.is_nil(result.response, result.response and result.response.body)
      local answers, lines = without_refs(result.answers)
      assert.are.same(case[3], answers)
      assert.are.equal(#answers, #lines)
    end)
  end

  it("gives each answer the line it came from", function()
    local result = upload(load(), "invitation,csat,called_at\n\na1,1,2023-11-14 10:00\n\"a\n2\",2,2023-11-14 10:00\na3,3,2023-11-14 10:00\n")
    local _, lines = without_refs(result.answers)
    assert.are.same({ 3, 4, 6 }, lines)
  end)

  it("reads the tenant's own column names and time zone", function()
    local p = load(with({ columns = { invitation = "工单号", csat = "满意度", tags = "标签", called_at = "回访时间",
                                      notice_version = "告知版本" },
                          dimensions = { speed = "响应速度" }, utc_offset = "+00:00" }))
    local result = upload(p, "工单号,满意度,响应速度,标签,回访时间,告知版本\nt-1,3,4,fast,2023-11-14 02:00,\n")
    result.answers[1].ref = nil
    assert.are.same({ { invitation = "t-1", answer = { scores = { csat = 3 }, dimensions = { speed = 4 },
                                                     tags = { "fast" } }, consent = consent() } }, result.answers)
  end)

  it("takes 1000 rows, one per answer", function()
    local rows = { "invitation,csat,called_at" }
    for i = 1, 1000 do rows[#rows + 1] = "inv" .. i .. ",5,2023-11-14 10:00" end
    local result = upload(load(), table.concat(rows, "\n"))
    assert.are.equal(1000, #result.answers)
    assert.are.equal("inv1000", result.answers[1000].invitation)
    assert.are.equal(1001, result.answers[1000].ref.line)
  end)
end)

describe("phone_import: rows that cannot be read", function()
  local HEAD = "invitation,phone,csat,nps,dim_speed,called_at,notice_version\n"
  -- data rows (after HEAD, from line 2) -> {line, error} reported (all rows are checked)
  local cases = {
    { "a,,9,,,2023-11-14 10:00,\n", { { 2, "csat: expected 1 to 5, got 9" } } },
    { "a,,x,,,2023-11-14 10:00,\n", { { 2, 'csat: expected a whole number, got "x"' } } },
    { "a,,4,11,,2023-11-14 10:00,\n", { { 2, "nps: expected 0 to 10, got 11" } } },
    { "a,,4.5,,,2023-11-14 10:00,\n", { { 2, 'csat: expected a whole number, got "4.5"' } } },
    { "a,,4,,0,2023-11-14 10:00,\n", { { 2, "dimension speed: expected 1 to 100, got 0" } } },
    { ",,4,,,2023-11-14 10:00,\n", { { 2, "invitation or phone: one is required" } } },
    { "a,,4,,,,\n", { { 2, "called_at: required (the time of the call)" } } },
    { "a,,4,,,yesterday,\n", { { 2, 'called_at: expected a date and time such as "2026-11-23 10:05", got "yesterday"' } } },
    { "a,,4,,,2023-02-29 10:00,\n", { { 2, "called_at: not a valid date and time" } } },
    { "a,,4,,,2023-11-14 24:00,\n", { { 2, "called_at: not a valid date and time" } } },
    { "a,,4,,,2023-11-14 10:00+8,\n", { { 2, "called_at: the time zone must be Z or +HH:MM" } } },
    { "a,,4,,,170000000,\n", { { 2, "called_at: expected Unix ms (13 digits) or seconds (10 digits)" } } },
    { "a,,4,,,2023-11-15 07:00,\n", { { 2, "called_at: in the future (2023-11-15 07:00)" } } },
    { "a,,4,,,2023-11-14 10:00\n", { { 2, "6 fields, the header has 7" } } },
    { "a,,4,,,2023-11-14 10:00,,x\n", { { 2, "8 fields, the header has 7" } } },
    { 'a,,4 "ok",,,2023-11-14 10:00,\n', { { 2, "a quote inside a field that does not start with one" } } },
    { 'a,,"4"x,,,2023-11-14 10:00,\n', { { 2, "text after the closing quote of a field" } } },
    -- several bad rows, a good one between them, line numbers counting a newline inside quotes
    { 'a,,0,,,2023-11-14 10:00,\n"b\n",,5,,,2023-11-14 10:00,\nc,,5,,,2023-11-14 10:00,\n\nd,,,,,soon,\n',
      { { 2, "csat: expected 1 to 5, got 0" }, { 7, "called_at: expected a date" } } },
  }
  for i, case in ipairs(cases) do
    it("case " .. i .. ": " .. case[2][1][2], function()
      local p = load(with({ notice_version = "2026-11" }))
      local result = upload(p, HEAD .. case[1])
      assert.are.equal(422, result.response.status)
      local r = report(result)
      assert.are.equal(0, r.accepted_rows)
      assert.truthy(r.error:find("nothing was imported", 1, true))
      assert.are.equal(#case[2], #r.rejected, result.response.body)
      for k, want in ipairs(case[2]) do
        assert.are.equal(want[1], r.rejected[k].line)
        assert.truthy(r.rejected[k].error:find(want[2], 1, true), r.rejected[k].error)
      end
    end)
  end

  it("needs a notice version from the row or the settings", function()
    local r = report(upload(load({ secret = SECRET }), "invitation,csat,called_at\na,5,1699927200\n"))
    assert.are.same({ { line = 2, error = "notice_version: empty, and the settings give no notice_version" } },
                    r.rejected)
  end)

  it("does not repeat long cells (they may be what the customer said) in errors", function()
    local long = string.rep("太慢", 20)
    local r = report(upload(load(), "invitation,csat,called_at\na," .. long .. ",2023-11-14 10:00\n"))
    assert.are.equal("csat: expected a whole number, got a value of 120 bytes", r.rejected[1].error)
  end)
end)

describe("phone_import: files that cannot be read", function()
  -- body -> status, line, error (nothing imported)
  local cases = {
    { "", 400, 1, "the file is empty" },
    { "\xef\xbb\xbf\n\n", 400, 1, "the file is empty" },
    { "invitation,csat,called_at\n", 400, 2, "no rows after the header" },
    { "invitation,csat,called_at\na,5,2023-11-14 10:00\n\xb9\xa4\xb5\xa5,5,2023-11-14 10:00\n", 400, 3,
      "not UTF-8 text" },
    { 'invitation,csat,called_at\na,5,2023-11-14 10:00\nb,"5,2023-11-14 10:00\nc,5,x\n', 400, 3,
      "a quoted field is not closed" },
    { "csat,called_at\n5,2023-11-14 10:00\n", 400, 1, 'needs a column "invitation" or "phone"' },
    { "invitation,csat\na,5\n", 400, 1, 'needs a column "called_at"' },
    { "invitation,csat,Invitation,called_at\na,5,b,2023-11-14 10:00\n", 400, 1, 'column "Invitation" appears twice' },
    { 'invitation,csat"x",called_at\n', 400, 1, "header: a quote inside a field" },
    { "invitation,csat,called_at\n\n\na," .. string.rep(",", 200) .. "\n", 400, 4, "more than 200 fields in one row" },
    { "\r\n\r\n\r\ninvitation,csat,called_at\r\n", 400, 5, "no rows after the header" },
  }
  for i, case in ipairs(cases) do
    it("case " .. i .. ": " .. case[4], function()
      local result = upload(load(), case[1])
      assert.are.equal(case[2], result.response.status)
      local r = report(result)
      assert.are.equal(0, r.accepted_rows)
      assert.are.equal(1, #r.rejected)
      assert.are.equal(case[3], r.rejected[1].line)
      assert.truthy(r.rejected[1].error:find(case[4], 1, true), r.rejected[1].error)
    end)
  end

  it("refuses more rows than the core takes from one request", function()
    local rows = { "invitation,csat,called_at" }
    for i = 1, 1001 do rows[#rows + 1] = "inv" .. i .. ",5,2023-11-14 10:00" end
    local result = upload(load(), table.concat(rows, "\n"))
    assert.are.equal(413, result.response.status)
    local r = report(result)
    assert.are.equal(1001, r.rows) -- at least: reading stops there
    assert.are.equal("more than 1000 rows: at most 1000 per upload, split the file", r.rejected[1].error)
    result = upload(load(with({ max_rows = 2 })), table.concat(rows, "\n", 1, 4))
    assert.are.equal(413, result.response.status)
  end)

  it("names configured columns the header lacks", function()
    local p = load(with({ columns = { csat = "满意度" }, dimensions = { speed = "速度" } }))
    local r = report(upload(p, "invitation,csat,called_at\na,5,2023-11-14 10:00\n"))
    assert.truthy(r.rejected[1].error:find('no column "满意度" (settings.columns.csat)', 1, true))
    assert.truthy(r.rejected[1].error:find('no column "速度" (settings.dimensions.speed)', 1, true))
  end)
end)

describe("phone_import: dry run", function()
  it("checks a file without importing it and gives the line of every index", function()
    local body = 'invitation,text,csat,called_at\na,"two\nlines",5,2023-11-14 10:00\n\nb,,4,2023-11-14 10:00\n'
    local result = upload(load(), body, { query = "tenant=acme&dry_run=1" })
    assert.is_nil(result.answers)
    assert.are.equal(200, result.response.status)
    assert.are.same({ dry_run = true, rows = 2, valid_rows = 2, rejected = {}, lines = { 2, 5 } },
                    stub.json.decode(result.response.body))
    assert.truthy(result.response.body:find('"rejected":[]', 1, true), result.response.body)
    result = upload(load(), body .. "c,,7,2023-11-14 10:00\n", { query = "dry_run=1&tenant=acme" })
    assert.are.equal(422, result.response.status)
    assert.are.same({ dry_run = true, rows = 3, valid_rows = 2, lines = { 2, 5 },
                      rejected = { { line = 6, error = "csat: expected 1 to 5, got 7" } } },
                    stub.json.decode(result.response.body))
  end)
end)

describe("phone_import: who may upload", function()
  local body = "invitation,csat,called_at\na,5,2023-11-14 10:00\n"
  local ts = tostring(NOW // 1000)
  -- settings, headers -> accepted? (else 401 with this error)
  local cases = {
    { SETTINGS, { ["x-timestamp"] = ts, ["x-signature"] = hmac(SECRET, ts .. "." .. body) }, nil },
    { SETTINGS, { ["x-timestamp"] = ts, ["x-signature"] = hmac(SECRET, body) }, "X-Signature: does not match" },
    { SETTINGS, { ["x-timestamp"] = ts, ["x-signature"] = hmac("another-secret-value", ts .. "." .. body) },
      "X-Signature: does not match" },
    { SETTINGS, { ["x-signature"] = hmac(SECRET, ts .. "." .. body) }, "X-Timestamp: expected Unix seconds" },
    { SETTINGS, { ["x-timestamp"] = tostring(NOW // 1000 - 301),
                  ["x-signature"] = hmac(SECRET, (NOW // 1000 - 301) .. "." .. body) },
      "X-Timestamp: more than 300 seconds from now" },
    { SETTINGS, { ["x-import-token"] = "a-token-of-24-characters" }, "X-Timestamp: expected Unix seconds" },
    { { auth = "token", token = "a-token-of-24-characters" }, { ["x-import-token"] = "a-token-of-24-characters" }, nil },
    { { auth = "token", token = "a-token-of-24-characters" }, { ["x-import-token"] = "a-token-of-24-characterz" },
      "X-Import-Token: missing or wrong" },
    { { auth = "token", token = "a-token-of-24-characters" }, { ["x-timestamp"] = ts,
        ["x-signature"] = hmac(SECRET, ts .. "." .. body) }, "X-Import-Token: missing or wrong" },
  }
  for i, case in ipairs(cases) do
    it("case " .. i, function()
      local settings = { notice_version = "2026-11" }
      for k, v in pairs(case[1]) do settings[k] = v end
      local p = load(settings)
      local result = upload(p, body, { headers = case[2] })
      if case[3] then
        assert.are.equal(401, result.response.status)
        assert.are.same({ error = case[3] }, stub.json.decode(result.response.body))
        assert.is_nil(result.answers)
        assert.are.equal(1, #p:log_lines("warn"))
      else
        assert.is_nil(result.response)
        assert.are.equal(1, #result.answers)
      end
    end)
  end
end)

describe("phone_import: settings", function()
  -- settings -> the problem when loading (nil: loads)
  local cases = {
    { {}, 'settings.secret: required with auth = "signature"' },
    { { auth = "token" }, 'settings.token: required with auth = "token"' },
    { { auth = "token", token = "short" }, "settings.token" },
    { { secret = SECRET, utc_offset = "8" }, 'settings.utc_offset: expected +HH:MM or -HH:MM, got "8"' },
    { { secret = SECRET, max_rows = 1001 }, "settings.max_rows" },
    { { secret = SECRET, columns = { csat = "" } }, "settings.columns.csat" },
    { { secret = SECRET, colums = {} }, "colums" },
    { { secret = SECRET, utc_offset = "-05:30" }, nil },
  }
  for i, case in ipairs(cases) do
    it("case " .. i, function()
      local ok, err = pcall(stub.load, stub.plugin_dir(), case[1])
      if case[2] then
        assert.is_false(ok)
        assert.truthy(tostring(err):find(case[2], 1, true), tostring(err))
      else
        assert.is_true(ok, tostring(err))
      end
    end)
  end
end)
