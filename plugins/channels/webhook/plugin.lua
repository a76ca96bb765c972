-- Webhook channel / Webhook 渠道
--
-- Signed JSON both ways, for apps and messaging platforms that show the survey link themselves and may
-- collect the answer in their own UI.
-- 双向签名 JSON，适用于自行展示问卷链接、或在自己界面中收集评价的 App 和消息平台。
--
-- Out: for each invitation of a channel in `channels`, POST url with JSON
--   {"event": "invitation.created", "invitation", "customer", "url", "lang", "expires_at"}
-- (no personal data: `customer` is the organisation's own external id); and for each notification to
-- staff (handler "notify") JSON {"event": "notification", "id", "person", "name", "subject", "text", "lang",
-- "rule", "alert", "ticket", "evaluation", "attachment"?} (never the person's phone or email); "attachment" =
-- {"filename", "content_type", "content_base64"} is a scheduled report's file, when the notification has one.
-- In: POST /channels/webhook/inbound?tenant=<tenant id> with JSON {"invitation", "answer", "consent"?}
-- or a list of them; the reply is the core's summary {"accepted", "rejected": [{"index", "error"}]}.
-- Both ways carry X-Timestamp (Unix seconds) and X-Signature: lower-case hex HMAC-SHA256 under `secret`
-- of  <X-Timestamp> + "." + <body>. A request older (or newer) than max_age_seconds is refused, so a
-- captured request cannot be replayed later.

local MAX_ITEMS = 1000 -- the core takes at most 1000 answers from one request

local function sign(timestamp, body)
  return vocd.hmac_sha256(vocd.settings.secret, timestamp .. "." .. body)
end

local wanted = {}
for _, channel in ipairs(vocd.settings.channels) do wanted[channel] = true end

-- Posts one JSON document to url, signed. A failed post raises: the core retries it with backoff, then
-- keeps it as a dead letter. `what` names the document in the error ("invitation 9e05").
local function post(doc, what)
  local body = vocd.json.encode(doc)
  local timestamp = tostring(vocd.time() // 1000)
  local answer = vocd.http.request({
    method = "POST",
    url = vocd.settings.url,
    headers = { ["Content-Type"] = "application/json",
                ["X-Timestamp"] = timestamp,
                ["X-Signature"] = sign(timestamp, body) },
    body = body,
    timeout_ms = vocd.settings.timeout_ms,
  })
  if answer.status < 200 or answer.status > 299 then
    error("the webhook answered " .. answer.status .. " for " .. what)
  end
end

local function post_invitation(ev, event)
  if not wanted[ev.channel] then return end
  post({
    event = event,
    invitation = ev.id,
    customer = ev.customer,
    url = ev.url,
    lang = ev.lang,
    expires_at = ev.expires_at,
  }, "invitation " .. ev.id)
end

-- A new invitation, and the reminder the core sends for one left unanswered.
vocd.hook("invitation.created", function(ev) post_invitation(ev, "invitation.created") end)
vocd.hook("invitation.remind", function(ev) post_invitation(ev, "invitation.remind") end)

-- A notification to a member of staff, from the core's notification worker: posted whatever `channels`
-- says (the core chose this plugin). The person is named by id and name only: their phone and email stay
-- in vocd, the app knows its own staff.
vocd.handle("notify", function(n)
  local to = n.to or {}
  post({
    event = "notification",
    id = n.id,
    person = to.person,
    name = to.name,
    subject = n.subject,
    text = n.text,
    lang = n.lang,
    rule = n.rule,
    alert = n.alert,
    ticket = n.ticket,
    evaluation = n.evaluation,
    attachment = type(n.attachment) == "table" and {
      filename = n.attachment.filename,
      content_type = n.attachment.content_type,
      content_base64 = n.attachment.content_base64,
    } or nil,
  }, "notification " .. n.id)
  return { sent = true }
end)

local function refuse(status, message)
  return { response = { status = status, content_type = "application/json; charset=utf-8",
                        body = vocd.json.encode({ error = message }) } }
end

-- nil when the request is genuine and fresh, else why not.
local function check_signature(req)
  local timestamp = req.headers["x-timestamp"]
  if type(timestamp) ~= "string" or not timestamp:find("^%d+$") or #timestamp > 12 then
    return "X-Timestamp: expected Unix seconds"
  end
  local age = vocd.time() // 1000 - math.tointeger(tonumber(timestamp))
  if age > vocd.settings.max_age_seconds or -age > vocd.settings.max_age_seconds then
    return "X-Timestamp: more than " .. vocd.settings.max_age_seconds .. " seconds from now"
  end
  if not vocd.secure_equal(req.headers["x-signature"], sign(timestamp, req.body)) then
    return "X-Signature: does not match"
  end
  return nil
end

vocd.handle("inbound", function(req)
  local bad = check_signature(req)
  if bad then
    vocd.log.warn("inbound webhook refused from", req.ip, "-", bad)
    return refuse(401, bad)
  end
  local doc, err = vocd.json.decode(req.body)
  if doc == nil then
    return refuse(400, "body: not JSON (" .. tostring(err) .. ")")
  end
  if type(doc) ~= "table" then
    return refuse(400, "body: expected an object {invitation, answer, consent} or a list of them")
  end
  local items = doc
  if #doc == 0 and next(doc) ~= nil then items = { doc } end -- one object, not a list
  if #items > MAX_ITEMS then
    return refuse(413, "at most " .. MAX_ITEMS .. " answers in one request, got " .. #items)
  end
  local answers = {}
  for i, item in ipairs(items) do
    if type(item) ~= "table" or (#item > 0) then
      return refuse(400, "item " .. (i - 1) .. ": expected an object {invitation, answer, consent}")
    end
    -- Only what an answer is made of: anything else the app sends stays out of the core.
    answers[i] = { invitation = item.invitation, answer = item.answer, consent = item.consent }
  end
  -- No response: the core replies with its summary, naming each rejected item by index.
  return { answers = answers }
end)

return { version = "1.2.0", api = 1 }
