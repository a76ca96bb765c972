-- Settings of workflows/negative_evaluation / 规则“差评开工单”的设置
return {
  fields = {
    csat_at_most = { type = "integer", default = 2, min = 1, max = 5,
                     description = "a CSAT at or below this opens a ticket / 满意度不高于此值即开工单" },
    nps_at_most = { type = "integer", default = 6, min = 0, max = 10,
                    description = "an NPS score at or below this opens a ticket / 推荐意愿不高于此值即开工单" },
    class = { type = "enum", values = { "general", "important", "urgent", "repeat" }, default = "general",
              description = "the ticket's class / 工单级别" },
  },
}
