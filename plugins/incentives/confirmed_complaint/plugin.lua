-- 激励策略：投诉属实扣分 / Incentive policy: a confirmed complaint costs points (staff)
--
-- 何时 When:   工单状态变更时（ticket.changed）。
--              Each time a ticket changes (ticket.changed).
-- 条件 If:     这次变更把工单置为“已解决”（change.to = "resolved"），且解决时确认投诉属实（confirmed = true）。
--              The change resolves the ticket (change.to = "resolved") and the complaint was confirmed
--              when it was resolved (confirmed = true).
-- 动作 Then:   扣 points 分（默认 3）。
--              −points (3 by default).
--
-- 归属 Attribution: attribute_to = "agent"（默认）扣服务该客户的客服（工单的 context.agent）；"assignee" 扣工单处理人。
--   不是本租户人员的不扣（记一条警告）。每张工单最多扣一次（key "complaint:<工单 id>"），重开后再次解决也不重复扣。
--   attribute_to = "agent" (default): the agent who served the customer (the ticket's context.agent);
--   "assignee": the person the ticket is assigned to. Someone who is not one of the tenant's people loses
--   nothing (a warning is logged). At most once per ticket (key "complaint:<ticket id>"), also when it is
--   reopened and resolved again.
--
-- 只有确认属实的投诉才扣分：低分本身从不扣分，内核也会拒绝其他扣分（nil, "not confirmed"）。
-- Only a confirmed complaint costs points: a low score alone never does, and the core refuses any other
-- deduction (nil, "not confirmed").
--
-- 可疑评价 Suspect answers: 若开单的评价被标为可疑，内核拒绝扣分（nil, "suspect"），但会代为保留：审核员判定
--   “已排除”（cleared）后由内核照原样扣分（同一策略、key、分值和原因），判定“确认可疑”（confirmed）则作废。本策略无需处理。
--   If the evaluation that opened the ticket is flagged suspect, the core refuses the deduction
--   (nil, "suspect") but holds it itself: it makes it as asked (same policy, key, points and reason) when
--   an auditor clears the answer, and drops it when the auditor confirms it. This policy has nothing to do
--   for it.
--
-- 修改设置：在租户文件（如 conf/tenants/demo.lua）的 plugins 中写，然后 `vocd check` 并重新加载：
-- Settings are changed in the tenant file (for example conf/tenants/demo.lua), then `vocd check` and reload:
--
--   ["incentives/confirmed_complaint"] = { points = 3, attribute_to = "agent" },

local settings = vocd.settings

local function is_person(id)
  if type(id) ~= "string" then return false end
  for _, person in ipairs(vocd.people()) do
    if person.id == id then return true end
  end
  return false
end

vocd.hook("ticket.changed", function(t)
  local change = t.change
  if type(change) ~= "table" or change.to ~= "resolved" or t.confirmed ~= true then return end
  local person
  if settings.attribute_to == "assignee" then
    person = t.assignee
  else
    person = type(t.context) == "table" and t.context.agent or nil
  end
  if not is_person(person) then
    vocd.log.warn("confirmed complaint on ticket", t.id, ": no deduction,", settings.attribute_to, tostring(person),
                  "is not one of the people")
    return
  end
  local award = {
    person = person, points = -settings.points, ticket = t.id, key = "complaint:" .. t.id,
    reason = { ["zh-CN"] = string.format("投诉经核实属实（工单 %s）", t.id),
               en = string.format("A complaint confirmed when resolved (ticket %s)", t.id) },
  }
  local id, why = vocd.points.award(award)
  if id or why == "suspect" then return end -- suspect: held by the core until an auditor decides
  vocd.log.warn("no deduction for ticket", t.id, ":", why)
end)

return { version = "1.1.0", api = 1, audience = "staff" }
