-- 激励策略：服务积分 / Incentive policy: points for good service (staff)
--
-- 何时 When:   客户每提交一条评价时（evaluation.created）。
--              Each time a customer's evaluation arrives (evaluation.created).
-- 条件 If:     满意度（CSAT，1–5 分）不低于 csat_at_least（默认 4）。
--              CSAT (1 to 5) at least csat_at_least (4 by default).
-- 动作 Then:   1. 给服务该客户的客服（评价的 context.agent，须是本租户的人员）加 points_good 分（默认 2）。
--                 +points_good (2) to the agent who served (the evaluation's context.agent, when that is
--                 one of the tenant's people; nothing otherwise).
--              2. 评价文字中同时出现某位员工的姓名（人员的 name）和一个表扬用语（compliment_words，如“感谢”
--                 “专业”“thanks”），给被点名的员工加 points_compliment 分（默认 5）。
--                 When the text names a person (their display name) together with a word of
--                 compliment_words ("感谢", "专业", "thanks"...), +points_compliment (5) to that person.
--
-- 归属 Attribution: 好评积分归服务的客服；点名表扬的积分归被点名的人（可以是客服以外的同事）。
--   The good-score points go to the agent who served; the compliment's to whoever is named (who may be a
--   colleague other than the agent). Each is given once per evaluation (keys "good:<id>" and
--   "compliment:<id>:<person>"), however often the event is delivered.
--
-- 低分从不扣分：扣分只来自确认属实的投诉（见 incentives/confirmed_complaint）。
-- A low score never costs anyone points: deductions only come from confirmed complaints
-- (incentives/confirmed_complaint), and the core refuses any other.
--
-- 可疑评价 Suspect answers: 内核拒绝为可疑评价加分（nil, "suspect"），但会代为保留：审核员判定“已排除”（cleared）
--   后由内核照原样发放（同一策略、key、分值和原因），判定“确认可疑”（confirmed）则作废。本策略无需处理。
--   The core refuses points for a suspect answer (nil, "suspect") but holds them itself: it gives them as
--   asked (same policy, key, points and reason) when an auditor clears the answer, and drops them when the
--   auditor confirms it. This policy has nothing to do for it.
--
-- 评价更正 Corrections (evaluation.corrected) 不处理：首次回答产生的积分保持不变（账本只追加），更正是客户自己的
--   事，策略不追着改；如需撤销，由主管在账本中冲销（POST /api/v1/points/{id}/reverse）。
--   Not handled: the entry made for the first answer stands (the ledger is append-only); a correction is
--   the customer's, the policy does not chase it. A supervisor can reverse an entry if it must go.
--
-- 修改设置：在租户文件（如 conf/tenants/demo.lua）的 plugins 中写，然后 `vocd check` 并重新加载：
-- Settings are changed in the tenant file (for example conf/tenants/demo.lua), then `vocd check` and reload:
--
--   ["incentives/service_points"] = { csat_at_least = 4, points_good = 2, points_compliment = 5,
--                                     compliment_words = { "感谢", "谢谢", "表扬", "thanks" } },

local settings = vocd.settings

-- Awards \p t. A suspect answer is refused (nil, "suspect") and held by the core until an auditor decides.
local function give(t, evaluation)
  local id, why = vocd.points.award(t)
  if id or why == "suspect" then return end
  vocd.log.warn("points not given for evaluation", evaluation, "to", t.person, ":", why)
end

local function lower(s) return string.lower(s) end -- ASCII only: Chinese is unchanged

-- Whether \p text names \p name. A name in Latin letters must stand as a word ("Li" is not in
-- "reliable"); a Chinese name is found anywhere, as Chinese has no spaces between words.
local function mentions(text, name)
  if name:find("^[%w%s%.'%-]+$") then
    local escaped = name:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
    return text:find("%f[%w]" .. escaped .. "%f[%W]") ~= nil
  end
  return text:find(name, 1, true) ~= nil
end

-- The people named in \p text, when it also holds a word of compliment.
local function complimented(text, people)
  local low = lower(text)
  local praise = false
  for _, w in ipairs(settings.compliment_words) do
    if low:find(lower(w), 1, true) then
      praise = true
      break
    end
  end
  if not praise then return {} end
  local named = {}
  for _, person in ipairs(people) do
    if type(person.name) == "string" and person.name ~= "" and mentions(low, lower(person.name)) then
      named[#named + 1] = person.id
    end
  end
  return named
end

vocd.hook("evaluation.created", function(ev)
  local csat = type(ev.scores) == "table" and ev.scores.csat or nil
  if type(csat) ~= "number" or csat < settings.csat_at_least then return end -- never a deduction
  local people, known = vocd.people(), {}
  for _, person in ipairs(people) do known[person.id] = true end

  local agent = type(ev.context) == "table" and ev.context.agent or nil
  if agent and known[agent] then
    give({ person = agent, points = settings.points_good, evaluation = ev.id, key = "good:" .. ev.id,
           reason = { ["zh-CN"] = string.format("客户满意度 %d 分（评价 %s）", csat, ev.id),
                      en = string.format("CSAT %d from a customer (evaluation %s)", csat, ev.id) } }, ev.id)
  end

  if type(ev.text) == "string" and ev.text ~= "" then
    for _, person in ipairs(complimented(ev.text, people)) do
      give({ person = person, points = settings.points_compliment, evaluation = ev.id,
             key = "compliment:" .. ev.id .. ":" .. person,
             reason = { ["zh-CN"] = string.format("客户点名表扬（评价 %s）", ev.id),
                        en = string.format("Thanked by name by a customer (evaluation %s)", ev.id) } }, ev.id)
    end
  end
end)

return { version = "1.1.0", api = 1, audience = "staff" }
