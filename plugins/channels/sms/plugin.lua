-- SMS channel / 短信渠道
--
-- Sends each invitation made for channel "sms" (and its reminder) as a text message with the survey link,
-- through an HTTP SMS gateway; and takes replies such as "5" or "1 太慢了" back from the gateway as answers.
-- Also sends the core's notifications to staff (handler "notify") and the customers' rewards issued for
-- channel "sms" (event reward.issued) through the same gateway.
-- 将渠道为 "sms" 的评价邀请以短信发送（含问卷链接）；并接收客户回复的 "5" 或 "1 太慢了" 作为评价；
-- 员工通知（"notify"）和渠道为 "sms" 的客户奖励（事件 reward.issued）也经同一网关发送。
--
-- To the gateway: POST gateway_url with JSON {"to": "+86…", "from": sender, "text": "…"} and the header
-- X-Signature: hex HMAC-SHA256 of the body under `secret`.
-- From the gateway: POST /channels/sms/inbound?tenant=<tenant id> with JSON {"from": "+86…", "text": "5"}
-- and the same kind of X-Signature. Copy this file to make a plugin for another gateway.

local DEFAULT_TEMPLATE = {
  ["zh-CN"] = "{brand}请为本次服务评分：{url} 也可直接回复1-5分（5分最满意），回复即表示同意链接中的隐私说明。",
  en = "{brand}Please rate our service: {url} or reply with a score from 1 to 5 (5 = very satisfied); "
    .. "replying means you agree to the privacy notice at the link.",
}

-- Replaces {name} in text with values[name]; other braces stay as they are.
local function fill(text, values)
  return (text:gsub("{(%w+)}", function(name) return values[name] end))
end

-- Posts one message to the gateway. A failed send raises: the core retries it with backoff, then keeps
-- it as a dead letter. `what` names the message in the error ("invitation 9e05").
local function send(to, text, what)
  local body = vocd.json.encode({ to = to, from = vocd.settings.sender, text = text })
  local answer = vocd.http.request({
    method = "POST",
    url = vocd.settings.gateway_url,
    headers = { ["Content-Type"] = "application/json",
                ["X-Signature"] = vocd.hmac_sha256(vocd.settings.secret, body) },
    body = body,
  })
  if answer.status < 200 or answer.status > 299 then
    error("the SMS gateway answered " .. answer.status .. " for " .. what)
  end
end

local function send_invitation(ev)
  if ev.channel ~= "sms" then return end
  local phone = vocd.contact(ev.customer, "phone", "send invitation")
  if not phone then
    vocd.log.warn("invitation", ev.id, "not sent: the customer has no phone number")
    return
  end
  local template = vocd.i18n(vocd.settings.template or DEFAULT_TEMPLATE, ev.lang)
  send(phone, fill(template, { brand = vocd.settings.brand, url = ev.url }), "invitation " .. ev.id)
end

-- A new invitation, and the reminder the core sends for one left unanswered (invitations.remind_after in
-- the tenant file): both carry the link; a reminder has reminder = true.
vocd.hook("invitation.created", send_invitation)
vocd.hook("invitation.remind", send_invitation)

-- A number as the customer reads it: 10, not 10.0; 9.5 as 9.50.
local function amount(n)
  local i = math.tointeger(n)
  if i then return tostring(i) end
  return string.format("%.2f", n)
end

-- A reward granted by a customer incentive policy, to be told to the customer by this channel:
-- {id, customer, channel, lang, points? or coupon = {code, value, currency}, reason}. The texts are the
-- settings reward_points_text and reward_coupon_text (defaults in schema.lua).
local function send_reward(ev)
  if ev.channel ~= "sms" then return end
  local s = vocd.settings
  local template, values
  if type(ev.coupon) == "table" then
    template = s.reward_coupon_text
    values = { code = tostring(ev.coupon.code), value = amount(ev.coupon.value),
               currency = tostring(ev.coupon.currency or "CNY") }
  elseif ev.points ~= nil then
    template = s.reward_points_text
    values = { points = amount(ev.points) }
  else
    vocd.log.warn("reward", ev.id, "not sent: it has neither points nor a coupon")
    return
  end
  local phone = vocd.contact(ev.customer, "phone", "send reward")
  if not phone then
    vocd.log.info("reward", ev.id, "not sent: the customer has no phone number")
    return
  end
  local lang = type(ev.lang) == "string" and ev.lang or "zh-CN"
  values.brand = s.brand
  values.reason = type(ev.reason) == "string" and ev.reason
    or type(ev.reason) == "table" and vocd.i18n(ev.reason, lang) or ""
  local text = fill(vocd.i18n(template, lang), values):match("^%s*(.-)%s*$")
  send(phone, text, "reward " .. ev.id)
end

vocd.hook("reward.issued", send_reward)

-- A notification to a member of staff, from the core's notification worker. Their phone comes with the
-- call (from the tenant's people), so no vocd.contact: that is for customers and audited as such.
-- No phone can never succeed: answered as not sent, so the core records it instead of retrying.
vocd.handle("notify", function(n)
  local to = n.to or {}
  if type(to.phone) ~= "string" or to.phone == "" then
    return { sent = false, reason = "no phone number for " .. tostring(to.person) }
  end
  send(to.phone, vocd.settings.brand .. n.text, "notification " .. n.id)
  return { sent = true }
end)

-- "5", "５", "1 太慢了", "3分，还行" -> score, text. nil when the reply does not start with a score standing
-- on its own: "5分钟了都没人接" (five minutes), "3天了" (three days) and "4.5" are not scores.
local SEPARATORS = { "，", "。", "：", ",", ".", ":" }
local function strip_separators(rest)
  local again = true
  while again do
    again = false
    rest = rest:match("^%s*(.-)%s*$")
    for _, sep in ipairs(SEPARATORS) do
      if rest:sub(1, #sep) == sep then
        rest, again = rest:sub(#sep + 1), true
      end
    end
  end
  return rest
end

local function parse_reply(text)
  -- full-width digits (U+FF10..U+FF19) as ASCII
  text = text:gsub("\xef\xbc([\x90-\x99])", function(b) return string.char(b:byte() - 0x90 + 0x30) end)
  local score, rest = text:match("^%s*(%d+)(.*)$")
  if not score or #score > 2 or rest:match("^[.．]%d") then return nil end
  if rest:sub(1, 3) == "分" then -- "3分" is a score, "5分钟" a duration
    if rest:sub(4, 6) == "钟" then return nil end
    rest = rest:sub(4)
  elseif rest ~= "" and not rest:match("^%s") then
    local separated = false
    for _, sep in ipairs(SEPARATORS) do
      separated = separated or rest:sub(1, #sep) == sep
    end
    if not separated then return nil end
  end
  return math.tointeger(tonumber(score)), strip_separators(rest)
end

vocd.handle("inbound", function(req)
  local expected = vocd.hmac_sha256(vocd.settings.secret, req.body)
  if not vocd.secure_equal(req.headers["x-signature"], expected) then
    vocd.log.warn("inbound SMS refused: bad signature from", req.ip)
    return { response = { status = 401, body = "bad signature" } }
  end
  local msg = vocd.json.decode(req.body)
  if type(msg) ~= "table" or type(msg.from) ~= "string" or type(msg.text) ~= "string" then
    return { response = { status = 400, body = "expected {\"from\": \"…\", \"text\": \"…\"}" } }
  end
  local score, rest = parse_reply(msg.text)
  if not score then
    vocd.log.info("inbound SMS without a score ignored")
    return { response = { status = 200, body = "OK" } }
  end
  local answer = { scores = { [vocd.settings.metric] = score } }
  if rest ~= "" then answer.text = rest end
  return {
    answers = { {
      phone = msg.from,
      answer = answer,
      consent = { notice_version = vocd.settings.notice_version, time = vocd.time(), channel = "sms" },
    } },
    response = { status = 200, body = "OK" },
  }
end)

return { version = "1.2.0", api = 1 }
