-- Settings of workflows/repeat_complaint / 规则“重复投诉”的设置
return {
  fields = {
    within_days = { type = "integer", default = 30, min = 1, max = 3660,
                    description = "an earlier ticket of the same category this recent makes a repeat / 多少天内的同类工单算重复" },
    role = { type = "string", default = "complaints_lead", min = 1, max = 64,
             description = "who gets repeated complaints (a role in people) / 处理重复投诉的角色" },
    channel = { type = "string", default = "email", min = 1, max = 64, description = "the channel plugin / 通知渠道" },
  },
}
