-- Demo tenant / 演示租户
--
-- One file per tenant: the file name (here "demo") is the tenant id. Only `name = value` settings.
-- 每个租户一个文件，文件名（此处为 demo）即租户 ID。只允许 `名称 = 值` 形式的设置。
-- After a change: `vocd check`, then `kill -HUP` or POST /api/v1/admin/reload.
-- 修改后先运行 `vocd check`，再 `kill -HUP` 或 POST /api/v1/admin/reload 使其生效。

name = "Demo 演示"

-- What customers are asked / 向客户提出的问题
survey = {
  -- Shown before any question; the customer must agree first. Change `version` whenever the text changes.
  -- 在任何问题之前显示，客户同意后才开始答题。修改文字时请同时修改 version。
  privacy_notice = {
    version = "2026-11",
    ["zh-CN"] = "为改进服务，我们会保存您的评价。您的联系方式加密保存，仅用于回访；您可随时撤回同意。",
    en = "We keep your answers to improve our service. Your contact details are stored encrypted and used "
      .. "only to follow up; you can withdraw your consent at any time.",
  },

  -- csat: satisfaction 1–5; nps: likelihood to recommend 0–10; ces: effort 1–7. The first is required.
  -- csat：满意度 1–5；nps：推荐意愿 0–10；ces：费力度 1–7。第一项为必答。
  metrics = { "csat", "nps" },

  -- Sub-items scored 1..scale / 分项评分（1 到 scale）
  dimensions = {
    { id = "speed", scale = 5, label = { ["zh-CN"] = "响应速度", en = "Response speed" } },
    { id = "solved", scale = 5, label = { ["zh-CN"] = "问题解决", en = "Problem solved" } },
    { id = "attitude", scale = 5, label = { ["zh-CN"] = "服务态度", en = "Attitude" } },
    { id = "professional", scale = 5, label = { ["zh-CN"] = "专业程度", en = "Professionalism" } },
  },

  -- Tags the customer can tick / 客户可勾选的标签
  tags = {
    { id = "fast", label = { ["zh-CN"] = "响应快", en = "Quick" } },
    { id = "friendly", label = { ["zh-CN"] = "态度好", en = "Friendly" } },
    { id = "slow", label = { ["zh-CN"] = "等待太久", en = "Waited too long" } },
    { id = "unsolved", label = { ["zh-CN"] = "问题未解决", en = "Not solved" } },
  },

  open_question = { ["zh-CN"] = "还有什么想告诉我们的吗？", en = "Anything else you would like to tell us?" },
}

-- Invitations / 评价邀请
invitations = {
  expires_days = 7,       -- a link stays valid 7 days / 链接 7 天内有效
  min_days_between = 0,   -- 0: no limit; 30 = at most one invitation per customer in 30 days / 0 表示不限制
  -- remind_after = "72h",   -- send an unanswered invitation again after 72 hours / 72 小时未回复则再发一次
  -- remind_channel = "sms", -- through another channel (default: the same one) / 提醒所用渠道（默认同原渠道）
}

-- Business calendar: the working time that service deadlines (SLA) count. Time outside it does not count.
-- 工作日历：服务时限（SLA）只计算其中的工作时间，非工作时间不计。
calendar = {
  utc_offset = "+08:00",   -- the tenant's time zone (no daylight saving) / 时区
  hours = {
    weekdays = { "09:00-12:00", "13:30-18:00" },  -- Monday to Friday / 周一至周五
    -- saturday = { "09:00-12:00" },              -- a day not listed has no working hours / 未列出的日子不上班
  },
  -- Public holidays: a day, or a range from..to / 法定节假日：单日，或“起..止”范围
  holidays = { "2026-10-01..2026-10-07" },
  -- Adjusted working days (调休): weekend days worked, with Monday's hours / 调休上班日，按周一的工作时间
  workdays = { "2026-10-10" },
}

-- The organisation: which stores, dealers and teams belong where. A person's `scope` below is one of these
-- units, and they see only the records of that part of the tree (docs/configuration.md, "Organisation").
-- 组织树：门店、经销商、团队各属于哪里。下面人员的 `scope` 是其中一个单元，此人只能看到这部分的记录。
organisation = {
  ["region:east"] = {
    ["store:s-1"] = { "team:care" },
    ["dealer:d-01"] = {},
  },
}

-- People who handle tickets and receive alerts: their roles, team and manager, and how to reach them.
-- A person's id is what the service context calls the agent ("a-17"). Workflow rules name people by role.
-- `access` lets a person sign in at /signin with that role (admin, supervisor, agent, auditor); their
-- password is set with `vocd user password`. `scope` limits what they see to a unit of the tree above.
-- 处理工单、接收预警的人员：角色、团队、上级与联系方式。人员 ID 即服务记录中的客服编号（如 "a-17"），规则按角色找人。
-- `access` 允许此人以该角色在 /signin 登录（密码用 `vocd user password` 设置）；`scope` 把可见范围限定为上面组织树中的一个单元。
people = {
  zhou = { name = "周敏", roles = { "service_director" }, email = "zhou@demo.example", access = "admin" },
  li = { name = "李强", roles = { "supervisor", "complaints_lead" }, manager = "zhou", manages = { "team:care" },
         access = "supervisor", scope = "team:care" },
  wu = { name = "吴刚", roles = { "account_manager", "risk_officer" }, manager = "zhou", manages = { "dealer:d-01" } },
  ["a-17"] = { name = "王芳", team = "care", manager = "li", access = "agent" },
  ["a-18"] = { name = "赵磊", team = "care", manager = "li" },
}

-- Tickets (工单): how long each stage may take, per class, counted on the calendar above.
-- "2h" and "30m" are working time; "7 working days" ends at the close of the 7th working day; "3 days"
-- counts day and night. A stage not written keeps its default; false means no limit.
-- 工单各阶段时限（按级别），按上面的工作日历计算。"2h"、"30m" 为工作时间；"7 working days" 为第 7 个工作日
-- 下班时；"3 days" 为自然时间。未写的阶段使用默认值；false 表示不限时。
tickets = {
  sla = {
    general   = { acknowledge = "2h", plan = "48h", resolve = "7 working days", revisit = "10 working days" },
    important = { acknowledge = "2h", plan = "48h", resolve = "15 working days", revisit = "10 working days" },
    urgent    = { acknowledge = "30m", plan = "4h", resolve = "2 working days", revisit = "5 working days" },
    ["repeat"] = { acknowledge = "2h", plan = "48h", resolve = "10 working days", revisit = "10 working days" },
  },
  repeat_within_days = 30,                 -- same customer, same category within 30 days: a repeat / 30 天内同类再投诉即为重复投诉
  revisit = { satisfied_from = 4 },        -- resolved: ask the customer again; CSAT 4-5 closes the ticket / 解决后回访，满意度 4–5 分即结案
  assign = { how = "fewest_open" },        -- to whoever in the team has the fewest open tickets / 分给团队中未结工单最少的人
}

-- Authenticity (真实性): signals that mark an answer as suspect. A suspect answer is stored like any other,
-- goes to the review queue (GET /api/v1/review-queue) and can be left out of figures; nothing is deleted.
-- Every threshold has a default (shown); 0 or false switches a signal off. See docs/configuration.md.
-- 真实性信号：可疑评价照常保存，进入复核队列（GET /api/v1/review-queue），统计时可排除；不删除任何评价。
-- 各阈值均有默认值（如下）；0 或 false 表示关闭该信号。详见 docs/configuration.md。
-- authenticity = {
--   burst_minutes = 10, burst_per_ip = 5, burst_per_device = 3,  -- more answers from one address in 10 minutes / 同一地址 10 分钟内超过 5 条
--   trusted_addresses = { "10.0.0.5" },      -- your own integration servers are not bursts / 自有对接服务器不计
--   duplicate_distance = 10, duplicate_days = 7,                  -- near-identical text / 文本几乎相同
--   seconds_per_question = 2,                -- faster than 2 s per question is too fast / 每题少于 2 秒即过快
--   staff_devices = true,                    -- answered from a device staff signed in from / 员工登录过的设备
--   history_min_answers = 3, history_gap = 0.5,                   -- far from the customer's own mean / 与客户以往评分相差过大
--   incentive = { period = "month", last_days = 3, top_ratings = 20 },  -- top ratings at the end of a period / 考核期末集中好评
-- }

-- Scheduled reports (定期报表): made and sent by the server itself, e.g. last month's figures as XLSX to the
-- supervisors on the 1st at 08:00. Needs a channel plugin that can carry the file (channels/email, with your
-- mail relay), so it is left commented out here. See docs/admin-guide.md §14 and docs/configuration.md.
-- 定期报表：由服务器自动生成并发送，例如每月 1 日 08:00 把上月统计（XLSX）发给主管。需要能携带文件的渠道插件
-- （channels/email，配置贵单位的邮件中继），因此这里保持注释。见 docs/admin-guide.md 第 14 节。
-- reports = {
--   schedule = {
--     { id = "monthly-figures", report = "figures", format = "xlsx", every = "month", day = 1, at = "08:00",
--       query = { interval = "week", group_by = "team" }, to = { { role = "supervisor" } }, channel = "email" },
--   },
-- }

-- Plugins enabled for this tenant, by folder under plugins/, with this tenant's settings for each.
-- Workflow rules are explained in docs/admin-guide.md and in the comments at the top of each plugin.lua.
-- 为本租户启用的插件（plugins/ 下的目录名）及其设置。工作流规则的说明见 docs/admin-guide.md 及各 plugin.lua 开头的注释。
plugins = {
  ["workflows/negative_evaluation"] = { csat_at_most = 2, nps_at_most = 6 },
  ["workflows/vip_low_csat"] = { tier = "VIP", csat_below = 3, channel = "sms" },
  ["workflows/keyword_alert"] = true,
  ["workflows/unanswered_invitations"] = { in_a_row = 3 },
  ["workflows/repeat_complaint"] = true,
  ["workflows/low_nps_month"] = { below = 7 },
  ["workflows/sla_escalation"] = true,
  -- Incentives (激励, plugins/incentives/README.md): points for good service and confirmed complaints,
  -- a monthly leaderboard, the quarterly 客户之声激励奖, and thanks to customers who take part — never
  -- for the score they gave. 员工积分、月度排行、季度“客户之声激励奖”，以及感谢参与评价的客户（与分数无关）。
  ["incentives/service_points"] = { csat_at_least = 4, points_good = 2, points_compliment = 5 },
  ["incentives/confirmed_complaint"] = { points = 3 },
  ["incentives/sla_bonus"] = { points = 3, attribute_to = "assignee" },
  ["incentives/monthly_leaderboard"] = { min_answers = 20 },
  ["incentives/voice_of_customer_award"] = { winners = 3, min_answers = 30, points = 500 },
  ["incentives/customer_thanks"] = { participation_points = 10, detail_min_chars = 30, channel = "sms" },
  -- Report formats (报表格式, plugins/reports/README.md): GET /api/v1/reports/figures?format=csv
  ["reports/json"] = true,
  ["reports/csv"] = true,
  ["reports/xlsx"] = true,
  ["reports/html"] = { brand = "演示公司 Demo Co." },
}
