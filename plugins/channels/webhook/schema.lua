-- Settings of the webhook channel / Webhook 渠道的设置
return {
  fields = {
    url = { type = "string", required = true,
            description = "where invitations and staff notifications are posted: "
              .. "the app's or platform's HTTP(S) address" },
    secret = { type = "string", required = true, min = 16,
               description = "shared with the other side: signs what we send and checks what it sends back" },
    channels = { type = "array", items = { type = "string", min = 1, max = 64 }, default = { "webhook" }, min = 1,
                 max = 16,
                 description = "the invitation channels posted to url (e.g. { \"webhook\", \"app\" })" },
    max_age_seconds = { type = "integer", default = 300, min = 10, max = 86400,
                        description = "an inbound request whose X-Timestamp is further than this from now is refused" },
    timeout_ms = { type = "integer", default = 10000, min = 1000, max = 30000,
                   description = "how long one post may take before it is retried" },
  },
}
