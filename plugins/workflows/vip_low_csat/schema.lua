-- Settings of workflows/vip_low_csat / 规则“VIP 客户低分”的设置
return {
  fields = {
    tier = { type = "string", default = "VIP", min = 1, max = 32,
             description = "the customer tier this rule watches / 关注的客户等级" },
    csat_below = { type = "integer", default = 3, min = 2, max = 5,
                   description = "a CSAT below this is a low score / 满意度低于此值为低分" },
    director_role = { type = "string", default = "service_director", min = 1, max = 64,
                      description = "the role (people = { … roles = { … } }) that gets the ticket / 接收工单的角色" },
    channel = { type = "string", default = "sms", min = 1, max = 64,
                description = "the channel plugin that tells them / 通知渠道" },
  },
}
