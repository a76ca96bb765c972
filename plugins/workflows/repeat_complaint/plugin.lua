-- 规则：同类问题反复投诉 / Rule: the same complaint again
--
-- 何时检查 When:    每开一张工单时（ticket.opened），无论来自差评还是投诉。
--                   Each time a ticket opens (ticket.opened), from an evaluation or a complaint.
-- 条件 If:          同一位客户在 within_days 天内（默认 30 天）已有同一类别（category）的工单。
--                   The same customer already had a ticket of the same category within `within_days`
--                   days (30).
-- 动作 Then:        工单改为“重复投诉”级别（按 tickets.sla.repeat 的时限处理，结案须写根本原因），
--                   交给担任 role 的人（默认投诉主管 complaints_lead），并通知其团队的主管。
--                   The ticket becomes class "repeat" (the repeat SLA applies and resolving it needs a
--                   root cause), goes to the people holding `role` (the complaints lead), and the
--                   team's manager is told.
--
-- 另：核心在开工单时已按 tickets.repeat_within_days 自动识别重复投诉；本规则让重复投诉另有专人处理。
-- The core already marks repeats by tickets.repeat_within_days when a ticket opens; this rule gives
-- them to someone who looks for the root cause.
--
--   ["workflows/repeat_complaint"] = { within_days = 30, role = "complaints_lead", channel = "email" },

local settings = vocd.settings

return {
  version = "1.0.0",
  api = 1,
  rule = {
    name = { ["zh-CN"] = "重复投诉", en = "Repeated complaint" },
    on = "ticket.opened",
    when = {
      -- 该客户此前同类工单的数量 / the customer's earlier tickets of this category
      { "customer.tickets", ">=", 1, category = "same", days = settings.within_days },
    },
    actions = {
      { "set class", "repeat" },
      { "assign", to = { role = settings.role } },
      { "notify", to = { manager_of = "team" }, channel = settings.channel,
        message = {
          ["zh-CN"] = "客户 {customer.id} 再次投诉同类问题（{ticket.category}），工单 {ticket}，请关注根本原因。",
          en = "Customer {customer.id} complained again about {ticket.category}: ticket {ticket}. Please look for the root cause.",
        } },
    },
  },
}
