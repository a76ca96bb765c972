-- 规则：月度 NPS 偏低 / Rule: a low NPS over the last month
--
-- 何时检查 When:    客户每提交一条评价时（evaluation.created）。
--                   Each time a customer's evaluation arrives (evaluation.created).
-- 条件 If:          该评价所属的客服（agent）、团队（team）或经销商（dealer）在最近 period 内
--                   （默认 30 天）的平均推荐分（NPS 0–10 分的平均值）低于 below（默认 7 分），
--                   且至少有 min_answers 条回答（默认 5 条，太少不足以说明问题）。
--                   The average recommend score (NPS, 0 to 10) of the evaluation's agent, team or
--                   dealer over the last `period` (30 days) is below `below` (7), over at least
--                   `min_answers` answers (5: fewer say little).
-- 动作 Then:        向其主管发预警：客服的主管、团队的主管、负责该经销商的人（people 中
--                   manages = { "dealer:…" }）；同一对象 quiet_days 天内（默认 7 天）只提醒一次。
--                   Raise an alert to its manager: the agent's manager, the team's, and whoever
--                   manages the dealer (people with manages = { "dealer:…" }); at most once in
--                   `quiet_days` (7) for each of them.
--
--   ["workflows/low_nps_month"] = { below = 7, period = "30 days", min_answers = 5, channel = "email" },

local settings = vocd.settings

return {
  version = "1.0.0",
  api = 1,
  rules = {
    {
      id = "agent",                                                      -- 客服 / an agent
      name = { ["zh-CN"] = "客服月度 NPS 偏低", en = "Agent's NPS low this month" },
      on = "evaluation.created",
      when = {
        { "stats.nps_mean", "<", settings.below, of = "agent", period = settings.period, min_answers = settings.min_answers },
      },
      actions = {
        { "alert", to = { manager_of = "agent" }, channel = settings.channel, message = {
            ["zh-CN"] = "客服 {context.agent} 最近的平均推荐分低于 " .. settings.below .. " 分，请关注。",
            en = "Agent {context.agent}'s average recommend score is below " .. settings.below .. " lately." } },
      },
      once_per = { key = "context.agent", days = settings.quiet_days },
    },
    {
      id = "team",                                                       -- 团队 / a team
      name = { ["zh-CN"] = "团队月度 NPS 偏低", en = "Team's NPS low this month" },
      on = "evaluation.created",
      when = {
        { "stats.nps_mean", "<", settings.below, of = "team", period = settings.period, min_answers = settings.min_answers },
      },
      actions = {
        { "alert", to = { manager_of = "team" }, channel = settings.channel, message = {
            ["zh-CN"] = "团队 {context.team} 最近的平均推荐分低于 " .. settings.below .. " 分，请关注。",
            en = "Team {context.team}'s average recommend score is below " .. settings.below .. " lately." } },
      },
      once_per = { key = "context.team", days = settings.quiet_days },
    },
    {
      id = "dealer",                                                     -- 经销商 / a dealer
      name = { ["zh-CN"] = "经销商月度 NPS 偏低", en = "Dealer's NPS low this month" },
      on = "evaluation.created",
      when = {
        { "stats.nps_mean", "<", settings.below, of = "dealer", period = settings.period, min_answers = settings.min_answers },
      },
      actions = {
        { "alert", to = { manager_of = "dealer" }, channel = settings.channel, message = {
            ["zh-CN"] = "经销商 {context.dealer} 最近的平均推荐分低于 " .. settings.below .. " 分，请关注。",
            en = "Dealer {context.dealer}'s average recommend score is below " .. settings.below .. " lately." } },
      },
      once_per = { key = "context.dealer", days = settings.quiet_days },
    },
  },
}
