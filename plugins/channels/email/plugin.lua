-- Email channel / 邮件渠道
--
-- Sends each invitation made for channel "email" as an email with the survey link, through an HTTP mail
-- relay (the relay speaks SMTP; vocd does not). No inbound: the customer answers on the survey page.
-- Also mails the core's notifications to staff (handler "notify") and the customers' rewards issued for
-- channel "email" (event reward.issued) through the same relay.
-- 将渠道为 "email" 的评价邀请通过 HTTP 邮件中继以邮件发送（含问卷链接）。客户在问卷页面作答，本插件无回收接口。
-- 员工通知（"notify"）和渠道为 "email" 的客户奖励（事件 reward.issued）也经同一中继发送。
--
-- To the relay: POST relay_url with JSON {"to", "from", "subject", "text", "html", "attachments"?} and the headers
-- X-Signature (lower-case hex HMAC-SHA256 of the body under `secret`) and Idempotency-Key (the invitation
-- or notification id, "reward:" and the reward's id: a send retried after a timeout carries the same key,
-- so the relay can drop the duplicate). "attachments" = [{"filename", "content_type", "content_base64"}]
-- is there only for a notification that carries a file (a scheduled report).
-- 发给中继的 JSON 仅在通知附带文件（定期报表）时含 "attachments" = [{"filename", "content_type", "content_base64"}]。
-- Copy this folder to make a plugin for another relay or provider.

local DEFAULTS = {
  subject = {
    ["zh-CN"] = "{brand}邀请您评价本次服务",
    en = "{brand}: how did we do?",
  },
  text = {
    ["zh-CN"] = "您好！\n\n感谢您选择{brand}。请花一分钟评价本次服务：\n{url}\n\n"
      .. "打开链接后会先看到我们的隐私说明，您同意后才开始答题。此链接仅供您本人使用，请勿转发。\n\n{brand}",
    en = "Hello,\n\nThank you for choosing {brand}. Please take a minute to rate our service:\n{url}\n\n"
      .. "The link first shows our privacy notice; the questions come only after you agree. "
      .. "The link is for you alone: please do not forward it.\n\n{brand}",
  },
  html = {
    ["zh-CN"] = "<!DOCTYPE html><html lang=\"zh-CN\"><body>"
      .. "<p>您好！</p><p>感谢您选择{brand}。请花一分钟评价本次服务：</p>{scores}"
      .. "<p><a href=\"{url}\">开始评价</a></p>"
      .. "<p>打开链接后会先看到我们的隐私说明，您同意后才开始答题。此链接仅供您本人使用，请勿转发。</p>"
      .. "<p>{brand}</p></body></html>",
    en = "<!DOCTYPE html><html lang=\"en\"><body>"
      .. "<p>Hello,</p><p>Thank you for choosing {brand}. Please take a minute to rate our service:</p>{scores}"
      .. "<p><a href=\"{url}\">Rate our service</a></p>"
      .. "<p>The link first shows our privacy notice; the questions come only after you agree. "
      .. "The link is for you alone: please do not forward it.</p>"
      .. "<p>{brand}</p></body></html>",
  },
}

-- The scores each metric offers, for one-click links (the survey page checks them again).
local SCALES = { csat = { 1, 5 }, nps = { 0, 10 }, ces = { 1, 7 } }

local HTML_ESCAPES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }
local function escape_html(s)
  return (s:gsub("[&<>\"']", HTML_ESCAPES))
end

-- Replaces {name} in text with values[name]; unknown names stay as they are.
local function fill(text, values)
  return (text:gsub("{(%w+)}", values))
end

-- A header must stay one line: a subject with CR, LF or other control characters would let the relay
-- be talked into adding headers.
local function one_line(s)
  return (s:gsub("[%c]+", " "))
end

-- One link per score of the main question, e.g. …/s/<token>?score=5, already HTML.
local function score_links(url, metric, lang)
  local scale = SCALES[metric]
  if not scale then return "" end
  local sep = url:find("?", 1, true) and "&" or "?"
  local parts = {}
  for score = scale[1], scale[2] do
    parts[#parts + 1] = string.format('<a href="%s">%d</a>', escape_html(url .. sep .. "score=" .. score), score)
  end
  local label = vocd.i18n({ ["zh-CN"] = "直接点选分数：", en = "Or pick a score:" }, lang)
  return "<p>" .. label .. " " .. table.concat(parts, " ") .. "</p>"
end

local function template(name, lang)
  return vocd.i18n(vocd.settings[name] or DEFAULTS[name], lang) or vocd.i18n(DEFAULTS[name], lang)
end

-- Posts one message {to, from, subject, text, html} to the relay. A failed send raises: the core retries
-- it with backoff, then keeps it as a dead letter. `key` is the Idempotency-Key; `what` names the message
-- in the error ("invitation 9e05").
local function send(message, key, what)
  local body = vocd.json.encode(message)
  local answer = vocd.http.request({
    method = "POST",
    url = vocd.settings.relay_url,
    headers = { ["Content-Type"] = "application/json",
                ["Idempotency-Key"] = key,
                ["X-Signature"] = vocd.hmac_sha256(vocd.settings.secret, body) },
    body = body,
    timeout_ms = vocd.settings.timeout_ms,
  })
  if answer.status < 200 or answer.status > 299 then
    error("the mail relay answered " .. answer.status .. " for " .. what)
  end
end

local function send_invitation(ev)
  if ev.channel ~= "email" then return end
  local to = vocd.contact(ev.customer, "email", "send invitation")
  if not to then
    vocd.log.warn("invitation", ev.id, "not sent: the customer has no email address")
    return
  end
  local s = vocd.settings
  local plain = { brand = s.brand, url = ev.url, scores = "" }
  local html = { brand = escape_html(s.brand), url = escape_html(ev.url),
                 scores = score_links(ev.url, s.one_click, ev.lang) }
  send({
    to = to,
    from = s.from,
    subject = one_line(fill(template("subject", ev.lang), plain)),
    text = fill(template("text", ev.lang), plain),
    html = fill(template("html", ev.lang), html),
  }, ev.reminder and (ev.id .. ":reminder") or ev.id, "invitation " .. ev.id)
end

-- A new invitation, and the reminder the core sends for one left unanswered (reminder = true).
vocd.hook("invitation.created", send_invitation)
vocd.hook("invitation.remind", send_invitation)

-- A notification's text as the HTML part: escaped, line breaks kept.
local function notification_html(text, lang)
  return string.format('<!DOCTYPE html><html lang="%s"><body><p>%s</p></body></html>',
                       escape_html(lang or "zh-CN"), (escape_html(text):gsub("\n", "<br>\n")))
end

-- A notification to a member of staff, from the core's notification worker. Their address comes with the
-- call (from the tenant's people), so no vocd.contact: that is for customers and audited as such.
-- No address can never succeed: answered as not sent, so the core records it instead of retrying.
-- A scheduled report comes as n.attachment {filename, content_type, content_base64}: it goes to the relay
-- as the message's one attachment, as given (the core made the name safe and the content base64).
vocd.handle("notify", function(n)
  local to = n.to or {}
  if type(to.email) ~= "string" or to.email == "" then
    return { sent = false, reason = "no email address for " .. tostring(to.person) }
  end
  local message = {
    to = to.email,
    from = vocd.settings.from,
    subject = one_line(n.subject),
    text = n.text,
    html = notification_html(n.text, n.lang),
  }
  local a = n.attachment
  if type(a) == "table" then
    message.attachments = { { filename = one_line(tostring(a.filename)), content_type = one_line(tostring(a.content_type)),
                              content_base64 = tostring(a.content_base64) } }
  end
  send(message, n.id, "notification " .. n.id)
  return { sent = true }
end)

-- A number as the customer reads it: 10, not 10.0; 9.5 as 9.50.
local function amount(n)
  local i = math.tointeger(n)
  if i then return tostring(i) end
  return string.format("%.2f", n)
end

-- A reward granted by a customer incentive policy, to be told to the customer by this channel:
-- {id, customer, channel, lang, points? or coupon = {code, value, currency}, reason}. The subject and
-- text are the settings reward_subject and reward_points_text or reward_coupon_text (defaults in
-- schema.lua); the HTML part is that text escaped, line breaks kept.
local function send_reward(ev)
  if ev.channel ~= "email" then return end
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
  local to = vocd.contact(ev.customer, "email", "send reward")
  if not to then
    vocd.log.info("reward", ev.id, "not sent: the customer has no email address")
    return
  end
  local lang = type(ev.lang) == "string" and ev.lang or "zh-CN"
  values.brand = s.brand
  values.reason = type(ev.reason) == "string" and ev.reason
    or type(ev.reason) == "table" and vocd.i18n(ev.reason, lang) or ""
  local text = fill(vocd.i18n(template, lang), values)
  send({
    to = to,
    from = s.from,
    subject = one_line(fill(vocd.i18n(s.reward_subject, lang), values)),
    text = text,
    html = notification_html(text, vocd.i18n({ ["zh-CN"] = "zh-CN", en = "en" }, lang)),
  }, "reward:" .. ev.id, "reward " .. ev.id)
end

vocd.hook("reward.issued", send_reward)

return { version = "1.3.0", api = 1 }
