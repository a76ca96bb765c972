-- Settings of the SMS channel / 短信渠道的设置
return {
  fields = {
    gateway_url = { type = "string", required = true,
                    description = "where invitations and staff notifications are sent: "
                      .. "the SMS gateway's HTTP(S) address" },
    secret = { type = "string", required = true,
               description = "shared with the gateway: signs what we send and checks what it sends back" },
    sender = { type = "string", default = "",
               description = "sender id or short code shown to the customer, if the gateway needs one" },
    brand = { type = "string", default = "",
              description = "the name put in front of the message, e.g. 【Acme】" },
    metric = { type = "enum", values = { "csat", "nps", "ces" }, default = "csat",
               description = "which score a reply such as \"5\" gives (the survey's main question)" },
    notice_version = { type = "string", required = true,
                       description = "the privacy notice version the message refers to: replying means agreeing to it" },
    template = { type = "table", fields = {
                   ["zh-CN"] = { type = "string" },
                   en = { type = "string" },
                 },
                 description = "the message; {brand} and {url} are replaced" },
    reward_points_text = { type = "table", fields = {
                             ["zh-CN"] = { type = "string", min = 1 },
                             en = { type = "string", min = 1 },
                           },
                           checks = { { at_least_one_of = { "zh-CN", "en" } } },
                           default = {
                             ["zh-CN"] = "{brand}感谢您的反馈，您获得 {points} 积分。{reason}",
                             en = "{brand}Thank you for your feedback: you have received {points} points. {reason}",
                           },
                           description = "the message telling a customer of the points they received (event "
                             .. "reward.issued); {brand}, {points} and {reason} are replaced / 告知客户所获积分的"
                             .. "短信（事件 reward.issued），替换 {brand}、{points}、{reason}" },
    reward_coupon_text = { type = "table", fields = {
                             ["zh-CN"] = { type = "string", min = 1 },
                             en = { type = "string", min = 1 },
                           },
                           checks = { { at_least_one_of = { "zh-CN", "en" } } },
                           default = {
                             ["zh-CN"] = "{brand}感谢您的反馈，您获得一张 {value} {currency} 的优惠券，券码 {code}。{reason}",
                             en = "{brand}Thank you for your feedback: you have received a {value} {currency} coupon, "
                               .. "code {code}. {reason}",
                           },
                           description = "the message telling a customer of the coupon they received (event "
                             .. "reward.issued); {brand}, {code}, {value}, {currency} and {reason} are replaced / "
                             .. "告知客户所获优惠券的短信（事件 reward.issued），替换 {brand}、{code}、{value}、"
                             .. "{currency}、{reason}" },
  },
}
