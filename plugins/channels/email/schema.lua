-- Settings of the email channel / 邮件渠道的设置
local function per_language(what)
  return { type = "table", fields = { ["zh-CN"] = { type = "string" }, en = { type = "string" } },
           description = what }
end

-- A text per language, at least one of them, with the built-in one as default.
local function reward_text(what, default)
  return { type = "table", fields = { ["zh-CN"] = { type = "string", min = 1 }, en = { type = "string", min = 1 } },
           checks = { { at_least_one_of = { "zh-CN", "en" } } }, default = default, description = what }
end

return {
  fields = {
    relay_url = { type = "string", required = true,
                  description = "where invitations and staff notifications are sent: "
                    .. "the mail relay's HTTP(S) address" },
    secret = { type = "string", required = true, min = 16,
               description = "shared with the relay: the X-Signature of each message is HMAC-SHA256 under it" },
    from = { type = "string", required = true, min = 3,
             description = "the sender address, e.g. \"Acme <service@acme.example>\"" },
    brand = { type = "string", required = true, min = 1, max = 100,
              description = "the organisation's name, put in the subject and the message" },
    one_click = { type = "enum", values = { "none", "csat", "nps", "ces" }, default = "none",
                  description = "the survey's main question: the HTML part then offers one link per score "
                    .. "(the page pre-selects it; the customer still consents and submits)" },
    subject = per_language("the subject; {brand} is replaced"),
    text = per_language("the plain-text part; {brand} and {url} are replaced"),
    html = per_language("the HTML part; {brand}, {url} and {scores} are replaced, each HTML-escaped"),
    reward_subject = reward_text(
      "the subject of a reward's email (event reward.issued); {brand} and the same names as the text are "
        .. "replaced / 奖励邮件的主题（事件 reward.issued），替换 {brand} 及正文中的同名占位符",
      { ["zh-CN"] = "{brand}感谢您的反馈", en = "{brand}: thank you for your feedback" }),
    reward_points_text = reward_text(
      "the text telling a customer of the points they received; {brand}, {points} and {reason} are replaced; "
        .. "the HTML part is this text, escaped / 告知客户所获积分的邮件正文，替换 {brand}、{points}、{reason}；"
        .. "HTML 部分为转义后的同一正文",
      { ["zh-CN"] = "您好！\n\n感谢您的反馈，您获得 {points} 积分。{reason}\n\n{brand}",
        en = "Hello,\n\nThank you for your feedback: you have received {points} points. {reason}\n\n{brand}" }),
    reward_coupon_text = reward_text(
      "the text telling a customer of the coupon they received; {brand}, {code}, {value}, {currency} and "
        .. "{reason} are replaced; the HTML part is this text, escaped / 告知客户所获优惠券的邮件正文，替换 "
        .. "{brand}、{code}、{value}、{currency}、{reason}；HTML 部分为转义后的同一正文",
      { ["zh-CN"] = "您好！\n\n感谢您的反馈，您获得一张 {value} {currency} 的优惠券，券码：{code}。{reason}\n\n{brand}",
        en = "Hello,\n\nThank you for your feedback: you have received a {value} {currency} coupon, "
          .. "code {code}. {reason}\n\n{brand}" }),
    timeout_ms = { type = "integer", default = 10000, min = 1000, max = 30000,
                   description = "how long one send may take before it is retried" },
  },
}
