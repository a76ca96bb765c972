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
  },
}
