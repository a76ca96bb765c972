-- Settings of incentives/sla_bonus / 激励策略“按时解决奖励”的设置
return {
  fields = {
    points = { type = "integer", default = 3, min = 1, max = 100000,
               description = "points for a ticket resolved within its deadline / 工单在时限内解决所得积分" },
    attribute_to = { type = "enum", values = { "assignee", "everyone" }, default = "assignee",
                     description = "who gets them: the ticket's assignee, or everyone who worked on it (each person "
                       .. "in its history, and the assignee) / 给谁：工单处理人，或处理过该工单的每个人（历史记录中的人员及处理人）" },
  },
}
