-- The email channel against the stub: what it sends the relay for an invitation.
local stub = require("vocd_stub")
local hmac = require("vocd_stub.sha256").hmac

local SETTINGS = { relay_url = "https://relay.example.com/send", secret = "0123456789abcdef-secret",
                   from = "Acme <service@acme.example>", brand = "Acme" }
local CONTACTS = { ["c-1"] = { email = "zhang@example.com", phone = "+8613812345678" } }
local URL = "https://vocd.example.com/s/acme.9e05.1796.abc"

local function with(over)
  local t = {}
  for k, v in pairs(SETTINGS) do t[k] = v end
  for k, v in pairs(over or {}) do t[k] = v end
  return t
end

local function load(settings, opts)
  opts = opts or {}
  opts.contacts = opts.contacts or CONTACTS
  return stub.load(stub.plugin_dir(), settings or SETTINGS, opts)
end

local function invitation(over)
  local ev = { id = "9e05", customer = "c-1", channel = "email", lang = "zh-CN", url = URL,
               expires_at = 1796000000000 }
  for k, v in pairs(over or {}) do ev[k] = v end
  return ev
end

-- Sends one invitation; returns the decoded message and the request.
local function send(p, over)
  p:emit("invitation.created", invitation(over))
  assert.are.same({}, p.errors)
  assert.are.equal(1, #p.requests)
  return stub.json.decode(p.requests[1].body), p.requests[1]
end

describe("email: sending an invitation", function()
  it("sends the link to the customer's address, signed, with an idempotency key", function()
    local p = load()
    local msg, rq = send(p)
    assert.are.equal("POST", rq.method)
    assert.are.equal(SETTINGS.relay_url, rq.url)
    assert.are.equal(hmac(SETTINGS.secret, rq.body), rq.headers["X-Signature"])
    assert.are.equal("9e05", rq.headers["Idempotency-Key"])
    assert.are.equal("application/json", rq.headers["Content-Type"])
    assert.are.equal(10000, rq.timeout_ms)
    assert.are.equal("zhang@example.com", msg.to)
    assert.are.equal("Acme <service@acme.example>", msg.from)
    assert.are.same({ "from", "html", "subject", "text", "to" }, (function()
      local keys = {}
      for k in pairs(msg) do keys[#keys + 1] = k end
      table.sort(keys)
      return keys
    end)())
    assert.are.same({ { customer = "c-1", field = "email", purpose = "send invitation" } }, p.contact_reads)
  end)

  -- language of the invitation -> what the subject, text and HTML contain
  local languages = {
    { "zh-CN", "Acme邀请您评价本次服务", "请花一分钟评价本次服务：\n" .. URL, '<a href="' .. URL .. '">开始评价</a>' },
    { "zh-TW", "Acme邀请您评价本次服务", "感谢您选择Acme", 'lang="zh-CN"' },
    { "en", "Acme: how did we do?", "rate our service:\n" .. URL, '<a href="' .. URL .. '">Rate our service</a>' },
    { "fr", "Acme: how did we do?", "Thank you for choosing Acme", 'lang="en"' },
  }
  for _, case in ipairs(languages) do
    it("writes " .. case[1] .. " as " .. case[2], function()
      local msg = send(load(), { lang = case[1] })
      assert.are.equal(case[2], msg.subject)
      assert.truthy(msg.text:find(case[3], 1, true), msg.text)
      assert.truthy(msg.html:find(case[4], 1, true), msg.html)
      assert.falsy(msg.text:find("{", 1, true))
      assert.falsy(msg.html:find("{", 1, true))
    end)
  end

  it("uses the tenant's templates, falling back per language", function()
    local p = load(with({ subject = { en = "{brand} survey" }, text = { ["zh-CN"] = "{brand} 评价 {url} {unknown}" },
                          html = { ["zh-CN"] = "<b>{brand}</b> <a href=\"{url}\">go</a>{scores}" } }))
    local msg = send(p)
    assert.are.equal("Acme survey", msg.subject) -- no zh-CN subject: the tenant's en one
    assert.are.equal("Acme 评价 " .. URL .. " {unknown}", msg.text)
    assert.are.equal('<b>Acme</b> <a href="' .. URL .. '">go</a>', msg.html)
  end)

  -- brand and URL as given -> what the HTML part must contain, and must not
  local hostile = {
    { 'A&B <script>"x"\'', URL, "A&amp;B &lt;script&gt;&quot;x&quot;&#39;", "<script>" },
    { "Acme", URL .. '"><img src=x onerror=alert(1)>', URL .. "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
      "<img" },
  }
  for i, case in ipairs(hostile) do
    it("escapes what it puts in the HTML part (" .. i .. ")", function()
      local msg = send(load(with({ brand = case[1] })), { url = case[2] })
      assert.truthy(msg.html:find(case[3], 1, true), msg.html)
      assert.falsy(msg.html:find(case[4], 1, true), msg.html)
      assert.truthy(msg.text:find(case[1], 1, true)) -- the text part is not HTML: as it is
    end)
  end

  it("keeps the subject on one line", function()
    local msg = send(load(with({ brand = "Acme\r\nBcc: all@example.com" })))
    assert.are.equal("Acme Bcc: all@example.com邀请您评价本次服务", msg.subject)
  end)

  -- one_click -> the score links in the HTML part (nil: none)
  local one_click = {
    { "none", nil },
    { "csat", { 1, 5 } },
    { "nps", { 0, 10 } },
    { "ces", { 1, 7 } },
  }
  for _, case in ipairs(one_click) do
    it("one-click links for " .. case[1], function()
      local msg = send(load(with({ one_click = case[1] })))
      local found = {}
      for score in msg.html:gmatch("%?score=(%d+)") do found[#found + 1] = tonumber(score) end
      if not case[2] then
        assert.are.same({}, found)
      else
        assert.are.equal(case[2][1], found[1])
        assert.are.equal(case[2][2], found[#found])
        assert.are.equal(case[2][2] - case[2][1] + 1, #found)
        assert.truthy(msg.html:find('<a href="' .. URL .. '?score=' .. case[2][2] .. '">', 1, true))
      end
      assert.falsy(msg.text:find("score=", 1, true))
    end)
  end

  it("joins a score to a link that already has a query with &amp;", function()
    local msg = send(load(with({ one_click = "csat" })), { url = URL .. "?lang=en" })
    assert.truthy(msg.html:find(URL .. "?lang=en&amp;score=5", 1, true), msg.html)
  end)

  it("leaves other channels' invitations alone", function()
    local p = load()
    p:emit("invitation.created", invitation({ channel = "sms" }))
    assert.are.same({}, p.requests)
    assert.are.same({}, p.contact_reads)
  end)

  it("does not send without an email address, and says so", function()
    local p = load(nil, { contacts = { ["c-1"] = { phone = "+8613812345678" } } })
    p:emit("invitation.created", invitation())
    assert.are.same({}, p.requests)
    assert.are.same({}, p.errors)
    assert.are.same({ "invitation 9e05 not sent: the customer has no email address" }, p:log_lines("warn"))
  end)

  -- the relay's answer -> the error the delivery fails with (nil: delivered)
  local answers = {
    { { status = 200, headers = {}, body = "" }, nil },
    { { status = 202, headers = {}, body = "queued" }, nil },
    { { status = 299, headers = {}, body = "" }, nil },
    { { status = 199, headers = {}, body = "" }, "the mail relay answered 199 for invitation 9e05" },
    { { status = 301, headers = {}, body = "" }, "the mail relay answered 301 for invitation 9e05" },
    { { status = 422, headers = {}, body = "bad address" }, "the mail relay answered 422 for invitation 9e05" },
    { { status = 503, headers = {}, body = "busy" }, "the mail relay answered 503 for invitation 9e05" },
    { { error = "connection refused" }, "vocd.http.request: connection refused" },
  }
  for _, case in ipairs(answers) do
    it("relay answer " .. (case[1].status or case[1].error), function()
      local p = load(nil, { http = function() return case[1] end })
      if case[2] then
        local err = stub.error_of(p.emit, p, "invitation.created", invitation())
        assert.truthy(err:find("plugin.lua:%d+: "), err)
        assert.truthy(err:find(case[2], 1, true), err)
        assert.are.equal(1, #p.errors)
      else
        p:emit("invitation.created", invitation())
        assert.are.same({}, p.errors)
      end
    end)
  end

  it("has no inbound handler: only the staff notification", function()
    assert.are.same({ "notify" }, load().handles)
  end)
end)

describe("email: notifying staff", function()
  local STAFF = { person = "zhou", name = "周敏", phone = "+8613800000001", email = "zhou@example.com" }
  local TEXT = "VIP 客户评分 1\n工单 0000000000000001"

  local function notification(over)
    local n = { id = "00000000000000a1", channel = "email", lang = "zh-CN", subject = "VIP 低分预警", text = TEXT,
                rule = "workflows/vip_low_csat", alert = "0000000000000003", ticket = "0000000000000001",
                to = STAFF }
    for k, v in pairs(over or {}) do n[k] = v end
    return n
  end

  -- Contacts that note every look-up: a staff notification must not ask vocd.contact for anything.
  local function watched()
    local asked = {}
    return setmetatable({}, { __index = function(_, customer) asked[#asked + 1] = customer end }), asked
  end

  -- Sends one notification; returns the decoded message and the request.
  local function notify(p, over)
    assert.are.same({ sent = true }, p:call("notify", notification(over)))
    assert.are.equal(1, #p.requests)
    return stub.json.decode(p.requests[1].body), p.requests[1]
  end

  it("mails the person's address, signed like an invitation, keyed by the notification id", function()
    local contacts, asked = watched()
    local p = load(nil, { contacts = contacts })
    local msg, rq = notify(p)
    assert.are.equal("POST", rq.method)
    assert.are.equal(SETTINGS.relay_url, rq.url)
    assert.are.equal(hmac(SETTINGS.secret, rq.body), rq.headers["X-Signature"])
    assert.are.equal("00000000000000a1", rq.headers["Idempotency-Key"])
    assert.are.equal("application/json", rq.headers["Content-Type"])
    assert.are.equal(10000, rq.timeout_ms)
    assert.are.same({ to = "zhou@example.com", from = "Acme <service@acme.example>", subject = "VIP 低分预警",
                      text = TEXT,
                      html = '<!DOCTYPE html><html lang="zh-CN"><body><p>VIP 客户评分 1<br>\n工单 0000000000000001'
                        .. "</p></body></html>" }, msg)
    assert.are.same({}, asked)
    assert.are.same({}, p.contact_reads)
  end)

  it("escapes the text in the HTML part and keeps the subject on one line", function()
    local msg = notify(load(), { lang = "en", subject = "Low CSAT\r\nBcc: all@example.com",
                                 text = 'A&B <script>"x"\'' })
    assert.are.equal("Low CSAT Bcc: all@example.com", msg.subject)
    assert.are.equal('A&B <script>"x"\'', msg.text) -- the text part is not HTML: as it is
    assert.truthy(msg.html:find('<html lang="en">', 1, true), msg.html)
    assert.truthy(msg.html:find("A&amp;B &lt;script&gt;&quot;x&quot;&#39;", 1, true), msg.html)
    assert.falsy(msg.html:find("<script>", 1, true), msg.html)
  end)

  it("attaches a scheduled report's file as the relay's attachments, and nothing without one", function()
    local file = { filename = "figures-2026-11-01-2026-11-30.xlsx",
                   content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   content_base64 = "UEsDBBQAAAAIAA==" }
    local msg, rq = notify(load(), { subject = "定期报表：评价统计（2026-11-01 至 2026-11-30）", attachment = file })
    assert.are.same({ file }, msg.attachments)
    assert.are.equal("定期报表：评价统计（2026-11-01 至 2026-11-30）", msg.subject)
    assert.are.equal(hmac(SETTINGS.secret, rq.body), rq.headers["X-Signature"]) -- the file is signed with the rest
    assert.is_nil(notify(load()).attachments)
    -- A name or type with a line break stays on one line (the relay may put them in MIME headers).
    msg = notify(load(), { attachment = { filename = "a\r\nb.csv", content_type = "text/csv\r\nX: y",
                                          content_base64 = "YQ==" } })
    assert.are.same({ { filename = "a b.csv", content_type = "text/csv X: y", content_base64 = "YQ==" } },
                    msg.attachments)
  end)

  -- the person -> not sent, and why
  local no_address = {
    { { person = "zhou", name = "周敏", phone = "+8613800000001" }, "no email address for zhou" },
    { { person = "wu", email = "" }, "no email address for wu" },
  }
  for i, case in ipairs(no_address) do
    it("answers not sent, without raising or sending, for a person without an address (" .. i .. ")", function()
      local contacts, asked = watched()
      local p = load(nil, { contacts = contacts })
      assert.are.same({ sent = false, reason = case[2] }, p:call("notify", notification({ to = case[1] })))
      assert.are.same({}, p.requests)
      assert.are.same({}, p.errors)
      assert.are.same({}, asked)
    end)
  end

  -- the relay's answer -> the error the call raises, so that the core retries it
  local failures = {
    { { status = 503, headers = {}, body = "busy" }, "the mail relay answered 503 for notification 00000000000000a1" },
    { { status = 422, headers = {}, body = "" }, "the mail relay answered 422 for notification 00000000000000a1" },
    { { error = "connection refused" }, "vocd.http.request: connection refused" },
  }
  for _, case in ipairs(failures) do
    it("raises when the relay answers " .. (case[1].status or case[1].error), function()
      local p = load(nil, { http = function() return case[1] end })
      local err = stub.error_of(p.call, p, "notify", notification())
      assert.truthy(err:find("plugin.lua:%d+: "), err)
      assert.truthy(err:find(case[2], 1, true), err)
    end)
  end
end)

describe("email: telling a customer of a reward", function()
  local NONE = {} -- a field left out of the event
  local function reward(over)
    local ev = { id = "00000000000000r1", customer = "c-1", channel = "email", lang = "zh-CN", points = 10,
                 reason = { ["zh-CN"] = "首次评价奖励", en = "First answer bonus" } }
    for k, v in pairs(over or {}) do
      if v == NONE then ev[k] = nil else ev[k] = v end
    end
    return ev
  end
  local COUPON = { code = "ABCD234XYZ", value = 20, currency = "CNY" }

  -- Emits one reward; returns the decoded message and the request.
  local function issue(p, over)
    p:emit("reward.issued", reward(over))
    assert.are.same({}, p.errors)
    assert.are.equal(1, #p.requests)
    return stub.json.decode(p.requests[1].body), p.requests[1]
  end

  -- the event's fields over the default ones -> subject, text, the HTML's lang
  local cases = {
    { "points in zh-CN", {}, "Acme感谢您的反馈",
      "您好！\n\n感谢您的反馈，您获得 10 积分。首次评价奖励\n\nAcme", "zh-CN" },
    { "points in en", { lang = "en" }, "Acme: thank you for your feedback",
      "Hello,\n\nThank you for your feedback: you have received 10 points. First answer bonus\n\nAcme", "en" },
    { "points without a lang (zh-CN)", { lang = NONE }, "Acme感谢您的反馈",
      "您好！\n\n感谢您的反馈，您获得 10 积分。首次评价奖励\n\nAcme", "zh-CN" },
    { "points in fr (en), with a plain reason", { lang = "fr", points = 50, reason = "Referral" },
      "Acme: thank you for your feedback",
      "Hello,\n\nThank you for your feedback: you have received 50 points. Referral\n\nAcme", "en" },
    { "a coupon in zh-CN", { points = NONE, coupon = COUPON }, "Acme感谢您的反馈",
      "您好！\n\n感谢您的反馈，您获得一张 20 CNY 的优惠券，券码：ABCD234XYZ。首次评价奖励\n\nAcme", "zh-CN" },
    { "a coupon in en", { lang = "en", points = NONE, coupon = { code = "QRST567MNP", value = 9.5, currency = "USD" } },
      "Acme: thank you for your feedback",
      "Hello,\n\nThank you for your feedback: you have received a 9.50 USD coupon, code QRST567MNP. "
        .. "First answer bonus\n\nAcme", "en" },
  }
  for _, case in ipairs(cases) do
    it("mails " .. case[1], function()
      local p = load()
      local msg, rq = issue(p, case[2])
      assert.are.equal(SETTINGS.relay_url, rq.url)
      assert.are.equal(hmac(SETTINGS.secret, rq.body), rq.headers["X-Signature"])
      assert.are.equal("reward:00000000000000r1", rq.headers["Idempotency-Key"])
      assert.are.equal("zhang@example.com", msg.to)
      assert.are.equal("Acme <service@acme.example>", msg.from)
      assert.are.equal(case[3], msg.subject)
      assert.are.equal(case[4], msg.text)
      assert.truthy(msg.html:find('<html lang="' .. case[5] .. '">', 1, true), msg.html)
      assert.truthy(msg.html:find((case[4]:gsub("\n", "<br>\n")), 1, true), msg.html)
      assert.are.same({ { customer = "c-1", field = "email", purpose = "send reward" } }, p.contact_reads)
    end)
  end

  it("uses the tenant's texts, and escapes them in the HTML part", function()
    local p = load(with({ reward_subject = { en = "{brand}: {points} points" },
                          reward_points_text = { ["zh-CN"] = "{brand} <b>+{points}</b> {reason}" } }))
    local msg = issue(p)
    assert.are.equal("Acme: 10 points", msg.subject) -- no zh-CN subject: the tenant's en one
    assert.are.equal("Acme <b>+10</b> 首次评价奖励", msg.text)
    assert.truthy(msg.html:find("Acme &lt;b&gt;+10&lt;/b&gt; 首次评价奖励", 1, true), msg.html)
    assert.falsy(msg.html:find("<b>", 1, true), msg.html)
  end)

  it("escapes a hostile reason and code in the HTML part, keeps the subject on one line", function()
    local msg = issue(load(with({ brand = "A&B\r\nBcc: all@example.com" })),
                      { points = NONE, reason = "<script>x</script>", coupon = { code = '"><img>', value = 5 } })
    assert.are.equal("A&B Bcc: all@example.com感谢您的反馈", msg.subject)
    assert.falsy(msg.html:find("<script>", 1, true), msg.html)
    assert.falsy(msg.html:find("<img>", 1, true), msg.html)
    assert.truthy(msg.html:find("5 CNY", 1, true), msg.html) -- no currency: CNY
  end)

  it("leaves other channels' rewards alone", function()
    local p = load()
    p:emit("reward.issued", reward({ channel = "sms" }))
    p:emit("reward.issued", reward({ channel = "sms", points = NONE, coupon = COUPON }))
    assert.are.same({}, p.requests)
    assert.are.same({}, p.contact_reads)
    assert.are.same({}, p.errors)
  end)

  -- contacts -> nothing sent, no error, an info line that does not name the address
  local no_address = {
    { "never given", {} },
    { "only a phone", { ["c-1"] = { phone = "+8613812345678" } } },
  }
  for _, case in ipairs(no_address) do
    it("sends nothing and does not fail without an address (" .. case[1] .. ")", function()
      local p = load(nil, { contacts = case[2] })
      p:emit("reward.issued", reward())
      assert.are.same({}, p.requests)
      assert.are.same({}, p.errors)
      assert.are.same({}, p:log_lines("error"))
      assert.are.same({}, p:log_lines("warn"))
      assert.are.same({ "reward 00000000000000r1 not sent: the customer has no email address" }, p:log_lines("info"))
    end)
  end

  -- the relay's answer -> the error the delivery fails with, so that the bus retries it
  local failures = {
    { { status = 500, headers = {}, body = "oops" }, "the mail relay answered 500 for reward 00000000000000r1" },
    { { status = 422, headers = {}, body = "bad address" }, "the mail relay answered 422 for reward 00000000000000r1" },
    { { error = "connection refused" }, "vocd.http.request: connection refused" },
  }
  for _, case in ipairs(failures) do
    it("fails when the relay answers " .. (case[1].status or case[1].error), function()
      local p = load(nil, { http = function() return case[1] end })
      local err = stub.error_of(p.emit, p, "reward.issued", reward())
      assert.truthy(err:find("plugin.lua:%d+: "), err)
      assert.truthy(err:find(case[2], 1, true), err)
      assert.are.equal(1, #p.errors)
      for _, line in ipairs(p.logs) do
        assert.falsy(line.message:find("zhang@example.com", 1, true), line.message)
      end
      assert.falsy(err:find("zhang@example.com", 1, true), err)
    end)
  end
end)

describe("email: settings", function()
  -- settings -> the problems reported
  local cases = {
    { {}, 4 },
    { with({ secret = "short" }), 1 },
    { with({ one_click = "stars" }), 1 },
    { with({ timeout_ms = 60000 }), 1 },
    { with({ subject = { de = "x" } }), 1 },
    { with({ reward_points_text = { en = "+{points}" }, reward_subject = { ["zh-CN"] = "谢谢" } }), 0 },
    { with({ reward_coupon_text = {} }), 1 },
    { with({ reward_subject = { de = "x" } }), 2 }, -- an unknown language, and none known
    { with({ reward_points_text = "{points}" }), 1 },
    { SETTINGS, 0 },
  }
  for i, case in ipairs(cases) do
    it("case " .. i, function()
      local ok, problems = stub.check_settings(stub.plugin_dir(), case[1])
      if case[2] == 0 then
        assert.truthy(ok, problems and table.concat(problems, "\n"))
      else
        assert.is_nil(ok)
        assert.are.equal(case[2], #problems, table.concat(problems, "\n"))
      end
    end)
  end
end)
