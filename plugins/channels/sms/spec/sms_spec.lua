-- The SMS channel against the stub: what it sends for an invitation, and what it makes of replies.
local stub = require("vocd_stub")
local hmac = require("vocd_stub.sha256").hmac

local SETTINGS = { gateway_url = "https://sms.example.com/send", secret = "s3cret", sender = "10690001",
                   brand = "【Acme】", notice_version = "2026-11" }
local CONTACTS = { ["c-1"] = { phone = "+8613812345678" } }

local function load(settings, opts)
  opts = opts or {}
  opts.contacts = opts.contacts or CONTACTS
  return stub.load(stub.plugin_dir(), settings or SETTINGS, opts)
end

local function invitation(over)
  local ev = { id = "9e05", customer = "c-1", channel = "sms", lang = "zh-CN",
               url = "https://vocd.example.com/s/acme.9e05.1796.abc", expires_at = 1796000000000 }
  for k, v in pairs(over or {}) do ev[k] = v end
  return ev
end

describe("sms: sending an invitation", function()
  it("sends the link to the customer's phone, signed", function()
    local p = load()
    p:emit("invitation.created", invitation())
    assert.are.same({}, p.errors)
    assert.are.equal(1, #p.requests)
    local rq = p.requests[1]
    assert.are.equal("POST", rq.method)
    assert.are.equal(SETTINGS.gateway_url, rq.url)
    local msg = stub.json.decode(rq.body)
    assert.are.equal("+8613812345678", msg.to)
    assert.are.equal("10690001", msg.from)
    assert.truthy(msg.text:find("【Acme】请为本次服务评分：https://vocd.example.com/s/acme.9e05.1796.abc", 1, true))
    assert.are.equal(hmac("s3cret", rq.body), rq.headers["X-Signature"])
    assert.are.same({ { customer = "c-1", field = "phone", purpose = "send invitation" } }, p.contact_reads)
  end)

  it("writes in English for an English invitation, and uses the tenant's template", function()
    local p = load()
    p:emit("invitation.created", invitation({ lang = "en" }))
    assert.truthy(stub.json.decode(p.requests[1].body).text:find("Please rate our service", 1, true))
    local settings = {}
    for k, v in pairs(SETTINGS) do settings[k] = v end
    settings.template = { ["zh-CN"] = "{brand}评价链接 {url}", en = "{brand}link {url}" }
    p = load(settings)
    p:emit("invitation.created", invitation())
    assert.are.equal("【Acme】评价链接 https://vocd.example.com/s/acme.9e05.1796.abc",
                     stub.json.decode(p.requests[1].body).text)
  end)

  it("sends the reminder of an unanswered invitation the same way", function()
    local p = load()
    local ev = invitation()
    ev.reminder = true
    p:emit("invitation.remind", ev)
    assert.are.equal(1, #p.requests)
    assert.are.equal("+8613812345678", stub.json.decode(p.requests[1].body).to)
  end)

  it("leaves other channels' invitations alone", function()
    local p = load()
    p:emit("invitation.created", invitation({ channel = "email" }))
    assert.are.same({}, p.requests)
    assert.are.same({}, p.contact_reads)
  end)

  it("does not send without a phone number, and says so", function()
    local p = load(nil, { contacts = {} })
    p:emit("invitation.created", invitation())
    assert.are.same({}, p.requests)
    assert.are.same({}, p.errors)
    assert.are.equal(1, #p:log_lines("warn"))
  end)

  it("fails the delivery when the gateway refuses, so that the core retries it", function()
    local p = load(nil, { http = function() return { status = 503, headers = {}, body = "busy" } end })
    local err = stub.error_of(p.emit, p, "invitation.created", invitation())
    assert.truthy(err:find("plugin.lua:%d+: the SMS gateway answered 503 for invitation 9e05"))
    p = load(nil, { http = function() return { error = "connection refused" } end })
    err = stub.error_of(p.emit, p, "invitation.created", invitation())
    assert.truthy(err:find("connection refused", 1, true))
  end)
end)

describe("sms: replies", function()
  local function reply(p, text, signature)
    local body = stub.json.encode({ from = "+8613812345678", text = text })
    return p:call("inbound", { method = "POST", path = "/channels/sms/inbound", query = "tenant=acme", ip = "10.0.0.1",
                               headers = { ["x-signature"] = signature or hmac("s3cret", body) },
                               body = body })
  end

  -- reply text -> the answer stored (nil: none)
  local cases = {
    { "5", { scores = { csat = 5 } } },
    { " 1 太慢了 ", { scores = { csat = 1 }, text = "太慢了" } },
    { "３分，还行", { scores = { csat = 3 }, text = "还行" } },
    { "4, ok", { scores = { csat = 4 }, text = "ok" } },
    { "10", { scores = { csat = 10 } } }, -- out of range: the core refuses it by name
    { "谢谢", nil },
    { "", nil },
    { "5分钟了都没人接电话", nil }, -- a duration, not a score
    { "3天了还没解决", nil },
    { "2小时才回复", nil },
    { "4.5", nil },
    { "123", nil },
    { "5分", { scores = { csat = 5 } } },
    { "2：服务一般", { scores = { csat = 2 }, text = "服务一般" } },
  }
  for _, case in ipairs(cases) do
    it(string.format("%q", case[1]), function()
      local p = load()
      local result = reply(p, case[1])
      assert.are.same({ status = 200, body = "OK" }, result.response)
      if case[2] then
        assert.are.same({ { phone = "+8613812345678", answer = case[2],
                            consent = { notice_version = "2026-11", time = p.now, channel = "sms" } } },
                        result.answers)
      else
        assert.is_nil(result.answers)
      end
    end)
  end

  it("answers nps when the tenant asks nps by text", function()
    local settings = {}
    for k, v in pairs(SETTINGS) do settings[k] = v end
    settings.metric = "nps"
    local p = load(settings)
    assert.are.same({ nps = 9 }, reply(p, "9").answers[1].answer.scores)
  end)

  it("refuses a reply with a bad signature", function()
    local p = load()
    local result = reply(p, "5", "0000")
    assert.are.same({ status = 401, body = "bad signature" }, result.response)
    assert.is_nil(result.answers)
  end)

  it("refuses a body that is not the gateway's JSON", function()
    local p = load()
    local body = "from=1&text=5"
    local result = p:call("inbound", { headers = { ["x-signature"] = hmac("s3cret", body) }, body = body })
    assert.are.equal(400, result.response.status)
  end)
end)

describe("sms: notifying staff", function()
  local STAFF = { person = "zhou", name = "周敏", phone = "+8613800000001", email = "zhou@example.com" }

  local function notification(to)
    return { id = "00000000000000a1", channel = "sms", lang = "zh-CN", subject = "VIP 低分预警",
             text = "VIP 客户评分 1，工单 0000000000000001", rule = "workflows/vip_low_csat",
             alert = "0000000000000003", ticket = "0000000000000001", to = to or STAFF }
  end

  -- Contacts that note every look-up: a staff notification must not ask vocd.contact for anything.
  local function watched()
    local asked = {}
    return setmetatable({}, { __index = function(_, customer) asked[#asked + 1] = customer end }), asked
  end

  it("sends the text, after the brand, to the person's phone, signed like an invitation", function()
    local contacts, asked = watched()
    local p = load(nil, { contacts = contacts })
    assert.are.same({ sent = true }, p:call("notify", notification()))
    assert.are.equal(1, #p.requests)
    local rq = p.requests[1]
    assert.are.equal("POST", rq.method)
    assert.are.equal(SETTINGS.gateway_url, rq.url)
    assert.are.equal(hmac("s3cret", rq.body), rq.headers["X-Signature"])
    assert.are.same({ to = "+8613800000001", from = "10690001",
                      text = "【Acme】VIP 客户评分 1，工单 0000000000000001" }, stub.json.decode(rq.body))
    assert.are.same({}, asked)
    assert.are.same({}, p.contact_reads)
    assert.are.same({}, p.errors)
  end)

  it("sends the text as it is when the tenant has no brand", function()
    local settings = {}
    for k, v in pairs(SETTINGS) do settings[k] = v end
    settings.brand = nil
    local p = load(settings)
    p:call("notify", notification())
    assert.are.equal("VIP 客户评分 1，工单 0000000000000001", stub.json.decode(p.requests[1].body).text)
  end)

  it("sends a scheduled report's text only: the file cannot go by SMS", function()
    local p = load()
    local n = notification()
    n.subject = "定期报表：评价统计（2026-11-01 至 2026-11-30）"
    n.text = "定期报表“评价统计”（2026-11-01 至 2026-11-30）已生成，文件 figures-2026-11-01-2026-11-30.xlsx。"
    n.attachment = { filename = "figures-2026-11-01-2026-11-30.xlsx", content_type = "application/octet-stream",
                     content_base64 = "UEsDBBQAAAAIAA==" }
    assert.are.same({ sent = true }, p:call("notify", n))
    assert.are.same({ to = "+8613800000001", from = "10690001", text = "【Acme】" .. n.text },
                    stub.json.decode(p.requests[1].body))
  end)

  -- the person -> not sent, and why
  local no_phone = {
    { { person = "zhou", name = "周敏", email = "zhou@example.com" }, "no phone number for zhou" },
    { { person = "wu", phone = "" }, "no phone number for wu" },
  }
  for i, case in ipairs(no_phone) do
    it("answers not sent, without raising or sending, for a person without a phone (" .. i .. ")", function()
      local contacts, asked = watched()
      local p = load(nil, { contacts = contacts })
      assert.are.same({ sent = false, reason = case[2] }, p:call("notify", notification(case[1])))
      assert.are.same({}, p.requests)
      assert.are.same({}, p.errors)
      assert.are.same({}, asked)
    end)
  end

  -- the gateway's answer -> the error the call raises, so that the core retries it
  local failures = {
    { { status = 503, headers = {}, body = "busy" }, "the SMS gateway answered 503 for notification 00000000000000a1" },
    { { status = 400, headers = {}, body = "" }, "the SMS gateway answered 400 for notification 00000000000000a1" },
    { { error = "connection refused" }, "vocd.http.request: connection refused" },
  }
  for _, case in ipairs(failures) do
    it("raises when the gateway answers " .. (case[1].status or case[1].error), function()
      local p = load(nil, { http = function() return case[1] end })
      local err = stub.error_of(p.call, p, "notify", notification())
      assert.truthy(err:find("plugin.lua:%d+: "), err)
      assert.truthy(err:find(case[2], 1, true), err)
    end)
  end
end)

describe("sms: telling a customer of a reward", function()
  local NONE = {} -- a field left out of the event
  local function reward(over)
    local ev = { id = "00000000000000r1", customer = "c-1", channel = "sms", lang = "zh-CN", points = 10,
                 reason = { ["zh-CN"] = "首次评价奖励", en = "First answer bonus" } }
    for k, v in pairs(over or {}) do
      if v == NONE then ev[k] = nil else ev[k] = v end
    end
    return ev
  end
  local COUPON = { code = "ABCD234XYZ", value = 20, currency = "CNY" }

  -- the event's fields over the default ones -> the text sent
  local cases = {
    { "points in zh-CN", {}, "【Acme】感谢您的反馈，您获得 10 积分。首次评价奖励" },
    { "points in en", { lang = "en" },
      "【Acme】Thank you for your feedback: you have received 10 points. First answer bonus" },
    { "points without a lang (zh-CN)", { lang = NONE },
      "【Acme】感谢您的反馈，您获得 10 积分。首次评价奖励" },
    { "points in zh-TW (zh-CN), with a plain reason", { lang = "zh-TW", points = 50, reason = "推荐奖励" },
      "【Acme】感谢您的反馈，您获得 50 积分。推荐奖励" },
    { "a coupon in zh-CN", { points = NONE, coupon = COUPON },
      "【Acme】感谢您的反馈，您获得一张 20 CNY 的优惠券，券码 ABCD234XYZ。首次评价奖励" },
    { "a coupon in en", { lang = "en", points = NONE,
                          coupon = { code = "QRST567MNP", value = 9.5, currency = "USD" } },
      "【Acme】Thank you for your feedback: you have received a 9.50 USD coupon, code QRST567MNP. First answer bonus" },
  }
  for _, case in ipairs(cases) do
    it("sends " .. case[1], function()
      local p = load()
      p:emit("reward.issued", reward(case[2]))
      assert.are.same({}, p.errors)
      assert.are.equal(1, #p.requests)
      local rq = p.requests[1]
      assert.are.equal(SETTINGS.gateway_url, rq.url)
      assert.are.equal(hmac("s3cret", rq.body), rq.headers["X-Signature"])
      assert.are.same({ to = "+8613812345678", from = "10690001", text = case[3] }, stub.json.decode(rq.body))
      assert.are.same({ { customer = "c-1", field = "phone", purpose = "send reward" } }, p.contact_reads)
    end)
  end

  it("uses the tenant's texts", function()
    local settings = {}
    for k, v in pairs(SETTINGS) do settings[k] = v end
    settings.reward_points_text = { ["zh-CN"] = "{brand}积分 +{points}（{reason}）", en = "{brand}+{points} pts" }
    settings.reward_coupon_text = { en = "{brand}{code}: {value} {currency}" }
    local p = load(settings)
    p:emit("reward.issued", reward())
    p:emit("reward.issued", reward({ lang = "en" }))
    p:emit("reward.issued", reward({ points = NONE, coupon = COUPON })) -- no zh-CN: the tenant's en one
    local texts = {}
    for i, rq in ipairs(p.requests) do texts[i] = stub.json.decode(rq.body).text end
    assert.are.same({ "【Acme】积分 +10（首次评价奖励）", "【Acme】+10 pts", "【Acme】ABCD234XYZ: 20 CNY" }, texts)
  end)

  it("leaves other channels' rewards alone", function()
    local p = load()
    p:emit("reward.issued", reward({ channel = "email" }))
    p:emit("reward.issued", reward({ channel = "email", coupon = COUPON }))
    assert.are.same({}, p.requests)
    assert.are.same({}, p.contact_reads)
    assert.are.same({}, p.errors)
  end)

  -- contacts -> nothing sent, no error, an info line that does not name the number
  local no_phone = {
    { "never given", {} },
    { "only an email", { ["c-1"] = { email = "zhang@example.com" } } },
  }
  for _, case in ipairs(no_phone) do
    it("sends nothing and does not fail without a phone number (" .. case[1] .. ")", function()
      local p = load(nil, { contacts = case[2] })
      p:emit("reward.issued", reward())
      assert.are.same({}, p.requests)
      assert.are.same({}, p.errors)
      assert.are.same({}, p:log_lines("error"))
      assert.are.same({}, p:log_lines("warn"))
      assert.are.same({ "reward 00000000000000r1 not sent: the customer has no phone number" }, p:log_lines("info"))
    end)
  end

  -- the gateway's answer -> the error the delivery fails with, so that the bus retries it
  local failures = {
    { { status = 500, headers = {}, body = "oops" }, "the SMS gateway answered 500 for reward 00000000000000r1" },
    { { status = 503, headers = {}, body = "busy" }, "the SMS gateway answered 503 for reward 00000000000000r1" },
    { { error = "connection refused" }, "vocd.http.request: connection refused" },
  }
  for _, case in ipairs(failures) do
    it("fails when the gateway answers " .. (case[1].status or case[1].error), function()
      local p = load(nil, { http = function() return case[1] end })
      local err = stub.error_of(p.emit, p, "reward.issued", reward())
      assert.truthy(err:find("plugin.lua:%d+: "), err)
      assert.truthy(err:find(case[2], 1, true), err)
      assert.are.equal(1, #p.errors)
    end)
  end

  it("never logs the phone number", function()
    for _, http in ipairs({ nil, function() return { status = 500, headers = {}, body = "" } end }) do
      local p = load(nil, { http = http })
      pcall(p.emit, p, "reward.issued", reward())
      for _, line in ipairs(p.logs) do
        assert.falsy(line.message:find("13812345678", 1, true), line.message)
      end
      for _, e in ipairs(p.errors) do
        assert.falsy(e.message:find("13812345678", 1, true), e.message)
      end
    end
  end)
end)

describe("sms: settings", function()
  it("needs the gateway, the secret and the notice version", function()
    local _, problems = stub.check_settings(stub.plugin_dir(), {})
    assert.are.equal(3, #problems)
  end)

  -- reward texts -> the problems reported
  local reward_texts = {
    { { reward_points_text = { en = "+{points}" } }, 0 },
    { { reward_coupon_text = { ["zh-CN"] = "{code}" } }, 0 },
    { { reward_points_text = {} }, 1 },
    { { reward_coupon_text = { de = "{code}" } }, 2 }, -- an unknown language, and none known
    { { reward_points_text = "{points}" }, 1 },
  }
  for i, case in ipairs(reward_texts) do
    it("checks the reward texts (" .. i .. ")", function()
      local settings = {}
      for k, v in pairs(SETTINGS) do settings[k] = v end
      for k, v in pairs(case[1]) do settings[k] = v end
      local ok, problems = stub.check_settings(stub.plugin_dir(), settings)
      if case[2] == 0 then
        assert.truthy(ok, problems and table.concat(problems, "\n"))
        assert.truthy(ok.reward_points_text and ok.reward_coupon_text) -- the other one's default
      else
        assert.is_nil(ok)
        assert.are.equal(case[2], #problems, table.concat(problems, "\n"))
      end
    end)
  end
end)
