-- 规则：差评必有回应 / Rule: every negative evaluation gets a ticket
--
-- 何时检查 When:    客户每提交一条评价时（evaluation.created）。
--                   Each time a customer's evaluation arrives (evaluation.created).
-- 条件 If:          满意度（CSAT，1–5 分）不高于 csat_at_most，
--                   或推荐意愿（NPS，0–10 分）不高于 nps_at_most。
--                   CSAT (1 to 5) at most csat_at_most, or NPS (0 to 10) at most nps_at_most.
-- 动作 Then:        开一张工单，默认“一般”级别，分配给服务该客户的团队中未结工单最少的人。
--                   Open a ticket, class "general" by default, for the person with the fewest open
--                   tickets in the team that served the customer.
--
-- 阈值与级别在租户文件中修改，例如 conf/tenants/demo.lua：
-- Thresholds and the class are set in the tenant file, for example conf/tenants/demo.lua:
--
--   ["workflows/negative_evaluation"] = { csat_at_most = 2, nps_at_most = 6, class = "general" },
--
-- 改完后运行 `vocd check`，再 `vocd rules dry-run` 试一试，最后重新加载（见 docs/admin-guide.md）。
-- Then run `vocd check`, try it with `vocd rules dry-run`, and reload (see docs/admin-guide.md).

local settings = vocd.settings

return {
  version = "1.0.0",
  api = 1,
  rule = {
    name = { ["zh-CN"] = "差评开工单", en = "Negative evaluation opens a ticket" },
    on = "evaluation.created",
    when = {
      { any = {                                                           -- 任一成立即可 / either
        { "evaluation.scores.csat", "<=", settings.csat_at_most },        -- 满意度 1–2 分 / CSAT 1 or 2
        { "evaluation.scores.nps", "<=", settings.nps_at_most },          -- 推荐意愿 0–6 分 / NPS 0 to 6
      } },
    },
    actions = {
      { "open ticket", class = settings.class, category = "evaluation" },
    },
  },
}
