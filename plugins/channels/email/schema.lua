-- Settings of the email channel / 邮件渠道的设置
local function per_language(what)
  return { type = "table", fields = { ["zh-CN"] = { type = "string" }, en = { type = "string" } },
           description = what }
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
    timeout_ms = { type = "integer", default = 10000, min = 1000, max = 30000,
                   description = "how long one send may take before it is retried" },
  },
}
