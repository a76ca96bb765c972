-- 规则：超时升级 / Rule: a missed deadline is escalated
--
-- 何时检查 When:    工单某一阶段超过时限时（ticket.sla_breached）：确认、制定方案、解决或回访。
--                   When a stage of a ticket misses its deadline (ticket.sla_breached): acknowledge,
--                   plan, resolve or revisit.
-- 条件 If:          无（每次超时都处理）；如只处理某些阶段，可加条件，例如
--                   { "ticket.breach.stage", "in", { "resolve", "revisit" } }。
--                   None (every breach); to escalate only some stages add a condition such as
--                   { "ticket.breach.stage", "in", { "resolve", "revisit" } }.
-- 动作 Then:        工单转给当前处理人的主管，优先级升为最高，并通知该主管和原处理人。
--                   The ticket goes to its assignee's manager with the highest priority, and both
--                   are told.
--
-- 各级别、各阶段的时限在租户文件的 tickets.sla 中设置，节假日与调休在 calendar 中设置。
-- The deadlines per class and stage are tickets.sla in the tenant file; holidays are in calendar.
--
--   ["workflows/sla_escalation"] = { channel = "sms" },

local settings = vocd.settings

return {
  version = "1.0.0",
  api = 1,
  rule = {
    name = { ["zh-CN"] = "工单超时升级", en = "Missed deadline escalated" },
    on = "ticket.sla_breached",
    when = {},                                                            -- 每次超时 / every breach
    actions = {
      { "notify", to = { assignee = true }, channel = settings.channel,  -- 先告诉原处理人 / the assignee first
        message = {
          ["zh-CN"] = "工单 {ticket} 的“{ticket.breach.stage}”阶段已超时，已升级给你的主管。",
          en = "Ticket {ticket} missed its {ticket.breach.stage} deadline and was escalated to your manager.",
        } },
      { "escalate", to = { manager_of = "assignee" }, priority = "highest" },
      { "notify", to = { assignee = true }, channel = settings.channel,  -- 再告诉接手的主管 / then the manager
        message = {
          ["zh-CN"] = "工单 {ticket}（客户 {customer.id}）的“{ticket.breach.stage}”阶段已超时，已转给你处理。",
          en = "Ticket {ticket} (customer {customer.id}) missed its {ticket.breach.stage} deadline and is now yours.",
        } },
    },
  },
}
