-- Settings of workflows/sla_escalation / 规则“工单超时升级”的设置
return {
  fields = {
    channel = { type = "string", default = "sms", min = 1, max = 64, description = "the channel plugin / 通知渠道" },
  },
}
