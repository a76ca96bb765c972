-- The webhook channel against the stub: what it posts for an invitation, and what it accepts back.
local stub = require("vocd_stub")
local hmac = require("vocd_stub.sha256").hmac

local SECRET = "0123456789abcdef-secret"
local SETTINGS = { url = "https://app.example.com/vocd", secret = SECRET }
local NOW = 1700000000000 -- the stub's clock (ms)

local function with(over)
  local t = {}
  for k, v in pairs(SETTINGS) do t[k] = v end
  for k, v in pairs(over or {}) do t[k] = v end
  return t
end

local function load(settings, opts)
  return stub.load(stub.plugin_dir(), settings or SETTINGS, opts)
end

local function invitation(over)
  local ev = { id = "9e05", customer = "c-1", channel = "webhook", lang = "en",
               url = "https://vocd.example.com/s/acme.9e05.1796.abc", expires_at = 1796000000000 }
  for k, v in pairs(over or {}) do ev[k] = v end
  return ev
end

describe("webhook: out", function()
  it("posts the invitation, signed over timestamp and body, without personal data", function()
    local p = load(nil, { contacts = { ["c-1"] = { phone = "+8613812345678", email = "a@example.com" } } })
    p:emit("invitation.created", invitation())
    assert.are.same({}, p.errors)
    assert.are.equal(1, #p.requests)
    local rq = p.requests[1]
    assert.are.equal("POST", rq.method)
    assert.are.equal(SETTINGS.url, rq.url)
    assert.are.same({ event = "invitation.created", invitation = "9e05", customer = "c-1",
                      url = "https://vocd.example.com/s/acme.9e05.1796.abc", lang = "en",
                      expires_at = 1796000000000 }, stub.json.decode(rq.body))
    assert.are.equal(tostring(NOW // 1000), rq.headers["X-Timestamp"])
    assert.are.equal(hmac(SECRET, rq.headers["X-Timestamp"] .. "." .. rq.body), rq.headers["X-Signature"])
    assert.are_not.equal(hmac(SECRET, rq.body), rq.headers["X-Signature"])
    assert.are.same({}, p.contact_reads) -- it never asks for contact details
  end)

  -- settings.channels, the invitation's channel -> posted?
  local cases = {
    { nil, "webhook", true },
    { nil, "sms", false },
    { { "app", "wechat" }, "wechat", true },
    { { "app", "wechat" }, "webhook", false },
  }
  for _, case in ipairs(cases) do
    it(string.format("channels %s, invitation for %s", table.concat(case[1] or { "default" }, ","), case[2]),
       function()
      local p = load(with({ channels = case[1] }))
      p:emit("invitation.created", invitation({ channel = case[2] }))
      assert.are.equal(case[3] and 1 or 0, #p.requests)
    end)
  end

  -- the other side's answer -> the error the delivery fails with (nil: delivered)
  local answers = {
    { { status = 204, headers = {}, body = "" }, nil },
    { { status = 302, headers = {}, body = "" }, "the webhook answered 302 for invitation 9e05" },
    { { status = 500, headers = {}, body = "" }, "the webhook answered 500 for invitation 9e05" },
    { { error = "timed out" }, "vocd.http.request: timed out" },
  }
  for _, case in ipairs(answers) do
    it("answer " .. (case[1].status or case[1].error), function()
      local p = load(nil, { http = function() return case[1] end })
      if case[2] then
        local err = stub.error_of(p.emit, p, "invitation.created", invitation())
        assert.truthy(err:find("plugin.lua:%d+: "), err)
        assert.truthy(err:find(case[2], 1, true), err)
      else
        p:emit("invitation.created", invitation())
        assert.are.same({}, p.errors)
      end
    end)
  end
end)

describe("webhook: notifying staff", function()
  local STAFF = { person = "zhou", name = "周敏", phone = "+8613800000001", email = "zhou@example.com" }

  local function notification(over)
    local n = { id = "00000000000000a1", channel = "webhook", lang = "en", subject = "VIP low CSAT",
                text = "VIP customer scored 1, ticket 0000000000000001", rule = "workflows/vip_low_csat",
                alert = "0000000000000003", ticket = "0000000000000001", evaluation = "00000000000000e1",
                to = STAFF }
    for k, v in pairs(over or {}) do n[k] = v end
    return n
  end

  -- Contacts that note every look-up: a staff notification must not ask vocd.contact for anything.
  local function watched()
    local asked = {}
    return setmetatable({}, { __index = function(_, customer) asked[#asked + 1] = customer end }), asked
  end

  it("posts the notification, signed like an invitation, without the person's phone or email", function()
    local contacts, asked = watched()
    local p = load(nil, { contacts = contacts })
    assert.are.same({ sent = true }, p:call("notify", notification()))
    assert.are.equal(1, #p.requests)
    local rq = p.requests[1]
    assert.are.equal("POST", rq.method)
    assert.are.equal(SETTINGS.url, rq.url)
    assert.are.equal(10000, rq.timeout_ms)
    assert.are.same({ event = "notification", id = "00000000000000a1", person = "zhou", name = "周敏",
                      subject = "VIP low CSAT", text = "VIP customer scored 1, ticket 0000000000000001",
                      lang = "en", rule = "workflows/vip_low_csat", alert = "0000000000000003",
                      ticket = "0000000000000001", evaluation = "00000000000000e1" }, stub.json.decode(rq.body))
    assert.falsy(rq.body:find("+8613800000001", 1, true))
    assert.falsy(rq.body:find("zhou@example.com", 1, true))
    assert.are.equal(tostring(NOW // 1000), rq.headers["X-Timestamp"])
    assert.are.equal(hmac(SECRET, rq.headers["X-Timestamp"] .. "." .. rq.body), rq.headers["X-Signature"])
    assert.are.same({}, asked)
    assert.are.same({}, p.contact_reads)
  end)

  it("posts whatever the channels setting lists, and for a person with no contact details", function()
    local p = load(with({ channels = { "app" } }))
    local n = notification({ to = { person = "wu" } })
    n.alert, n.ticket, n.evaluation = nil, nil, nil
    assert.are.same({ sent = true }, p:call("notify", n))
    assert.are.same({ event = "notification", id = "00000000000000a1", person = "wu", subject = "VIP low CSAT",
                      text = "VIP customer scored 1, ticket 0000000000000001", lang = "en",
                      rule = "workflows/vip_low_csat" }, stub.json.decode(p.requests[1].body))
  end)

  it("carries a scheduled report's file as the notification's attachment", function()
    local p = load()
    local file = { filename = "compliance-2026-11-01-2026-11-30.html", content_type = "text/html; charset=utf-8",
                   content_base64 = "PCFET0NUWVBFIGh0bWw+" }
    assert.are.same({ sent = true }, p:call("notify", notification({ attachment = file })))
    local rq = p.requests[1]
    assert.are.same(file, stub.json.decode(rq.body).attachment)
    assert.are.equal(hmac(SECRET, rq.headers["X-Timestamp"] .. "." .. rq.body), rq.headers["X-Signature"])
  end)

  -- the other side's answer -> the error the call raises, so that the core retries it
  local failures = {
    { { status = 500, headers = {}, body = "" }, "the webhook answered 500 for notification 00000000000000a1" },
    { { status = 302, headers = {}, body = "" }, "the webhook answered 302 for notification 00000000000000a1" },
    { { error = "timed out" }, "vocd.http.request: timed out" },
  }
  for _, case in ipairs(failures) do
    it("raises when the other side answers " .. (case[1].status or case[1].error), function()
      local p = load(nil, { http = function() return case[1] end })
      local err = stub.error_of(p.call, p, "notify", notification())
      assert.truthy(err:find("plugin.lua:%d+: "), err)
      assert.truthy(err:find(case[2], 1, true), err)
    end)
  end
end)

describe("webhook: in", function()
  local function post(p, body, opts)
    opts = opts or {}
    local ts = opts.timestamp or tostring(NOW // 1000)
    local headers = { ["x-timestamp"] = ts, ["x-signature"] = opts.signature or hmac(SECRET, ts .. "." .. body) }
    if opts.headers then headers = opts.headers end
    return p:call("inbound", { method = "POST", path = "/channels/webhook/inbound", query = "tenant=acme",
                               ip = "10.0.0.9", headers = headers, body = body })
  end

  local ANSWER = { scores = { csat = 4 }, dimensions = { speed = 5 }, tags = { "fast" }, text = "好" }
  local CONSENT = { notice_version = "2026-11", time = 1699999990000, channel = "app" }

  -- body -> the answers handed to the core
  local accepted = {
    { stub.json.encode({ invitation = "a1", answer = ANSWER, consent = CONSENT }),
      { { invitation = "a1", answer = ANSWER, consent = CONSENT } } },
    { stub.json.encode({ invitation = "a1", answer = ANSWER }), { { invitation = "a1", answer = ANSWER } } },
    { stub.json.encode({ { invitation = "a1", answer = ANSWER }, { invitation = "a2", answer = { scores = { csat = 1 } } } }),
      { { invitation = "a1", answer = ANSWER }, { invitation = "a2", answer = { scores = { csat = 1 } } } } },
    -- Extra fields stay out; a phone is not a way in (apps know their invitation).
    { stub.json.encode({ invitation = "a1", answer = ANSWER, phone = "+8613812345678", customer = { name = "张三" } }),
      { { invitation = "a1", answer = ANSWER } } },
    -- What the core checks (and reports by index), passed through as it is.
    { stub.json.encode({ { answer = ANSWER }, { invitation = "a3" } }), { { answer = ANSWER }, { invitation = "a3" } } },
  }
  for i, case in ipairs(accepted) do
    it("accepts body " .. i, function()
      local p = load()
      local result = post(p, case[1])
      assert.is_nil(result.response) -- the core's summary is the reply
      assert.are.same(case[2], result.answers)
    end)
  end

  it("hands an empty list over as no answers", function()
    local result = post(load(), "[]")
    assert.is_nil(result.response)
    assert.are.same({}, result.answers)
  end)

  local body = stub.json.encode({ invitation = "a1", answer = ANSWER })
  local ts = tostring(NOW // 1000)
  -- request -> status and error (signature and freshness, then the JSON)
  local refused = {
    { "a wrong signature", body, { signature = hmac("another-secret-value", ts .. "." .. body) }, 401,
      "X-Signature: does not match" },
    { "the signature of the body alone (no timestamp)", body, { signature = hmac(SECRET, body) }, 401,
      "X-Signature: does not match" },
    { "a signature of another timestamp", body,
      { timestamp = tostring(NOW // 1000 - 1), signature = hmac(SECRET, ts .. "." .. body) }, 401,
      "X-Signature: does not match" },
    { "no headers", body, { headers = {} }, 401, "X-Timestamp: expected Unix seconds" },
    { "a timestamp in ms", body, { timestamp = tostring(NOW) }, 401, "X-Timestamp: expected Unix seconds" },
    { "a date as timestamp", body, { timestamp = "2026-11-23" }, 401, "X-Timestamp: expected Unix seconds" },
    { "a request 301 s old", body, { timestamp = tostring(NOW // 1000 - 301) }, 401,
      "X-Timestamp: more than 300 seconds from now" },
    { "a request 301 s ahead", body, { timestamp = tostring(NOW // 1000 + 301) }, 401,
      "X-Timestamp: more than 300 seconds from now" },
    { "not JSON", "invitation=a1&csat=5", {}, 400, "body: not JSON" },
    -- found by tests/fuzz: 1e999 reached the core as infinity, which it cannot write (500, not 400)
    { "a score too large for a double", '{"invitation":"a1","answer":{"scores":{"csat":1e999}}}', {}, 400,
      "body: not JSON (invalid JSON: a number too large for a double)" },
    { "a JSON string", '"hello"', {}, 400, "body: expected an object" },
    { "a list with a number", '[{"invitation":"a1","answer":{}}, 5]', {}, 400, "item 1: expected an object" },
    { "a list of lists", '[[1]]', {}, 400, "item 0: expected an object" },
    { "1001 answers", "[" .. string.rep('{"invitation":"a","answer":{}}', 1001, ",") .. "]", {}, 413,
      "at most 1000 answers in one request, got 1001" },
  }
  for _, case in ipairs(refused) do
    it("refuses " .. case[1], function()
      local p = load()
      local result = post(p, case[2], case[3])
      assert.is_nil(result.answers)
      assert.are.equal(case[4], result.response.status)
      assert.are.equal("application/json; charset=utf-8", result.response.content_type)
      local msg = stub.json.decode(result.response.body).error
      assert.truthy(msg:find(case[5], 1, true), msg)
      assert.are.equal(case[4] == 401 and 1 or 0, #p:log_lines("warn"))
    end)
  end

  -- age in seconds, max_age_seconds -> accepted?
  local ages = { { 300, nil, true }, { -300, nil, true }, { 60, 30, false }, { 29, 30, true }, { 3600, 7200, true } }
  for _, case in ipairs(ages) do
    it(string.format("a request %d s old with max_age_seconds %s", case[1], tostring(case[2])), function()
      local p = load(with({ max_age_seconds = case[2] }))
      local result = post(p, body, { timestamp = tostring(NOW // 1000 - case[1]) })
      assert.are.equal(case[3], result.answers ~= nil)
    end)
  end
end)

describe("webhook: settings", function()
  local cases = {
    { {}, 2 },
    { with({ secret = "short" }), 1 },
    { with({ channels = {} }), 1 },
    { with({ max_age_seconds = 1 }), 1 },
    { with({ max_age_seconds = "300" }), 1 },
    { SETTINGS, 0 },
  }
  for i, case in ipairs(cases) do
    it("case " .. i, function()
      local ok, problems = stub.check_settings(stub.plugin_dir(), case[1])
      if case[2] == 0 then
        assert.truthy(ok, problems and table.concat(problems, "\n"))
        assert.are.same({ "webhook" }, ok.channels)
        assert.are.equal(300, ok.max_age_seconds)
      else
        assert.is_nil(ok)
        assert.are.equal(case[2], #problems, table.concat(problems, "\n"))
      end
    end)
  end
end)
