-- 规则：连续多次未回复 / Rule: several invitations in a row went unanswered
--
-- 何时检查 When:    一条评价邀请过期而客户没有回复时（invitation.expired）。
--                   When an invitation's link expires unanswered (invitation.expired).
-- 条件 If:          这位客户最近连续 in_a_row 条（默认 3 条）邀请都过期未回复。
--                   The customer's latest `in_a_row` invitations (3) all expired unanswered.
-- 动作 Then:        通知客户经理（担任 role 的人，默认 account_manager），并发出预警；
--                   同一位客户 quiet_days 天内（默认 30 天）只提醒一次。
--                   Tell the account manager (the people holding `role`) and raise an alert, at most
--                   once in `quiet_days` days (30) for the same customer.
--
--   ["workflows/unanswered_invitations"] = { in_a_row = 3, role = "account_manager", channel = "email" },

local settings = vocd.settings

return {
  version = "1.0.0",
  api = 1,
  rule = {
    name = { ["zh-CN"] = "连续未回复评价邀请", en = "Invitations unanswered in a row" },
    on = "invitation.expired",
    when = {
      { "customer.unanswered_in_row", ">=", settings.in_a_row },         -- 连续未回复的条数 / how many in a row
    },
    actions = {
      { "alert", to = { role = settings.role }, channel = settings.channel,
        message = {
          ["zh-CN"] = "客户 {customer.id} 已连续多次未回复评价邀请（最近一次 {invitation.id}），请联系了解情况。",
          en = "Customer {customer.id} has not answered several invitations in a row (the latest {invitation.id}).",
        } },
    },
    once_per = { key = "customer.id", days = settings.quiet_days },      -- 同一客户多久提醒一次 / how often per customer
  },
}
