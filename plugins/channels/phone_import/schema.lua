-- Settings of the call centre import / 电话回访结果导入的设置
local function column(default, what)
  return { type = "string", min = 1, max = 64,
           description = what .. " (header name; default \"" .. default .. "\")" }
end

return {
  fields = {
    auth = { type = "enum", values = { "signature", "token" }, default = "signature",
             description = "how an upload proves where it comes from: \"signature\" (X-Timestamp and "
               .. "X-Signature, HMAC-SHA256 under `secret`) or \"token\" (X-Import-Token equal to `token`)" },
    secret = { type = "string", min = 16, description = "with auth = \"signature\": the shared signing key" },
    token = { type = "string", min = 24, description = "with auth = \"token\": the shared upload token" },
    max_age_seconds = { type = "integer", default = 300, min = 10, max = 86400,
                        description = "with auth = \"signature\": an upload whose X-Timestamp is further than "
                          .. "this from now is refused" },
    columns = { type = "table", fields = {
                  invitation = column("invitation", "the invitation id"),
                  phone = column("phone", "the customer's phone, when there is no invitation id"),
                  csat = column("csat", "CSAT score 1-5"),
                  nps = column("nps", "NPS score 0-10"),
                  ces = column("ces", "CES score 1-7"),
                  tags = column("tags", "tag ids separated by ; or ；"),
                  text = column("text", "what the customer said"),
                  notice_version = column("notice_version", "the privacy notice version read to the customer"),
                  called_at = column("called_at", "when the call took place (the consent's time)"),
                } },
    dimensions = { type = "table", items = { type = "string", min = 1, max = 64 },
                   description = "dimension id -> header name, e.g. { speed = \"响应速度\" }; columns named "
                     .. "dim_<id> are read without this" },
    notice_version = { type = "string", min = 1, max = 64,
                       description = "the notice version for rows whose notice_version cell is empty" },
    utc_offset = { type = "string", default = "+08:00",
                   description = "the time zone of called_at values written without one, as +HH:MM" },
    max_rows = { type = "integer", default = 1000, min = 1, max = 1000,
                 description = "rows per upload (the core takes at most 100 answers from one request)" },
  },
}
