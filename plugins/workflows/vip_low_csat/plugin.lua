-- 规则：VIP 客户低分预警 / Rule: a VIP customer gives a low score
--
-- 何时检查 When:    客户每提交一条评价时（evaluation.created）。
--                   Each time a customer's evaluation arrives (evaluation.created).
-- 条件 If:          客户等级是 tier（默认 "VIP"），并且满意度（CSAT）低于 csat_below（默认 3 分）。
--                   The customer's tier is `tier` ("VIP") and their CSAT is below csat_below (3).
-- 动作 Then:        开一张“紧急”工单给担任 director_role（默认服务总监 service_director）的人，
--                   并通过 channel（默认短信 sms）通知他。
--                   Open an "urgent" ticket for the person holding director_role (the service
--                   director), and tell them through `channel` (SMS by default).
--
-- 服务总监是谁，在租户文件的 people 中写明，例如：
-- Who the service director is goes in the tenant file's people, for example:
--
--   people = { zhou = { name = "周敏", roles = { "service_director" }, phone = "13800000001" } }
--
-- 阈值在租户文件中修改 / Change the thresholds in the tenant file:
--
--   ["workflows/vip_low_csat"] = { tier = "VIP", csat_below = 3, channel = "sms" },

local settings = vocd.settings

return {
  version = "1.0.0",
  api = 1,
  rule = {
    name = { ["zh-CN"] = "VIP 客户低分", en = "VIP customer, low score" },
    on = "evaluation.created",
    when = {
      { "customer.tier", "is", settings.tier },                          -- VIP 客户 / a VIP customer
      { "evaluation.scores.csat", "<", settings.csat_below },            -- 满意度低于 3 分 / CSAT below 3
    },
    actions = {
      -- 紧急工单，交给服务总监 / an urgent ticket for the service director
      { "open ticket", class = "urgent", category = "vip", assign = { role = settings.director_role } },
      -- 短信通知服务总监；{…} 处会填入评价中的内容 / an SMS to the service director; {…} is filled in
      { "notify", to = { role = settings.director_role }, channel = settings.channel,
        message = {
          ["zh-CN"] = "【紧急】VIP 客户 {customer.id} 满意度 {evaluation.scores.csat} 分，工单 {ticket}，请尽快处理。",
          en = "[Urgent] VIP customer {customer.id} rated {evaluation.scores.csat}: ticket {ticket}.",
        } },
    },
  },
}
