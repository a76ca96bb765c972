-- 规则：敏感词最高优先级 / Rule: alarming words get the highest priority
--
-- 何时检查 When:    客户提交评价时（evaluation.created），以及收到投诉时（ticket.opened）。
--                   When an evaluation arrives (evaluation.created) and when a complaint opens a
--                   ticket (ticket.opened).
-- 条件 If:          文字中出现 keywords 里的任一词（默认：欺诈、诈骗、安全漏洞、泄露、报警…）。
--                   英文字母不分大小写。
--                   The text contains any of the `keywords` (fraud, security hole, leak...). Latin
--                   letters match in any case.
-- 动作 Then:        评价：开一张“紧急”、最高优先级的工单给 role（默认风控负责人 risk_officer），
--                   并发出预警；投诉：把工单升为“紧急”、最高优先级，转给同一角色，并发出预警。
--                   An evaluation opens an urgent ticket of the highest priority for `role` (the
--                   risk officer) and raises an alert; a complaint's ticket is raised to urgent and
--                   highest priority, handed to the same role, and an alert is raised.
--
-- 增加一个敏感词：在租户文件里列出全部词语（这里列出的会替换默认的）：
-- To add a word, list all the words in the tenant file (the list replaces the default one):
--
--   ["workflows/keyword_alert"] = { keywords = { "欺诈", "诈骗", "安全漏洞", "泄露", "报警", "投诉到12315" } },

local settings = vocd.settings

-- 谁来处理、怎么通知：两条规则共用 / who handles it and how they hear of it: shared by both rules
local alert = {
  "alert", to = { role = settings.role }, channel = settings.channel,
  message = {
    ["zh-CN"] = "【最高优先级】客户 {customer.id} 的反馈含敏感词，工单 {ticket}，请立即处理。",
    en = "[Highest priority] Feedback from customer {customer.id} contains an alarming word: ticket {ticket}.",
  },
}

return {
  version = "1.0.0",
  api = 1,
  rules = {
    {
      id = "evaluation",
      name = { ["zh-CN"] = "评价含敏感词", en = "Alarming words in an evaluation" },
      on = "evaluation.created",
      when = {
        { "evaluation.text", "contains any", settings.keywords },
      },
      actions = {
        { "open ticket", class = "urgent", priority = "highest", category = "risk", assign = { role = settings.role } },
        alert,
      },
    },
    {
      id = "complaint",
      name = { ["zh-CN"] = "投诉含敏感词", en = "Alarming words in a complaint" },
      on = "ticket.opened",
      when = {
        { "ticket.evaluation", "missing" },                              -- 来自投诉，而非评价 / a complaint, not an evaluation
        { "ticket.text", "contains any", settings.keywords },
      },
      actions = {
        { "escalate", to = { role = settings.role }, priority = "highest", class = "urgent" },
        alert,
      },
    },
  },
}
