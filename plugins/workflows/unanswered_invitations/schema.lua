-- Settings of workflows/unanswered_invitations / 规则“连续未回复评价邀请”的设置
return {
  fields = {
    in_a_row = { type = "integer", default = 3, min = 2, max = 50,
                 description = "unanswered invitations in a row / 连续未回复的条数" },
    role = { type = "string", default = "account_manager", min = 1, max = 64,
             description = "who is told (a role in people) / 通知谁（people 中的角色）" },
    channel = { type = "string", default = "email", min = 1, max = 64, description = "the channel plugin / 通知渠道" },
    quiet_days = { type = "integer", default = 30, min = 1, max = 366,
                   description = "tell about one customer at most once in this many days / 同一客户多少天内只提醒一次" },
  },
}
