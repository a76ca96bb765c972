-- Settings of incentives/confirmed_complaint / 激励策略“投诉属实扣分”的设置
return {
  fields = {
    points = { type = "integer", default = 3, min = 1, max = 100000,
               description = "points deducted for a complaint confirmed when the ticket is resolved (a positive "
                 .. "number) / 工单解决时确认投诉属实所扣的积分（填正数）" },
    attribute_to = { type = "enum", values = { "agent", "assignee" }, default = "agent",
                     description = "who loses them: the agent who served the customer (the ticket's context.agent) "
                       .. "or the ticket's assignee / 扣谁的分：服务该客户的客服，或工单处理人" },
  },
}
