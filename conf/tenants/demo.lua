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

-- Plugins enabled for this tenant, by folder under plugins/, with this tenant's settings for each.
-- 为本租户启用的插件（plugins/ 下的目录名）及其设置。
plugins = {
}
