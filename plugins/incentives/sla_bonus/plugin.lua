-- 激励策略：按时解决奖励 / Incentive policy: a bonus for tickets resolved in time (staff)
--
-- 何时 When:   工单状态变更时（ticket.changed）。
--              Each time a ticket changes (ticket.changed).
-- 条件 If:     这次变更把工单置为“已解决”（change.to = "resolved"），且“解决”阶段在时限内完成
--              （sla.resolve.met = true；等待客户的时间不计入，见租户文件的 tickets.sla）。
--              The change resolves the ticket (change.to = "resolved") and its "resolve" stage met its
--              deadline (sla.resolve.met = true; time waiting for the customer does not count, see
--              tickets.sla in the tenant file).
-- 动作 Then:   加 points 分（默认 3）。
--              +points (3 by default).
--
-- 归属 Attribution: attribute_to = "assignee"（默认）给工单处理人；"everyone" 给处理过该工单的每个人：历史记录中
--   每条操作的人员（history[].by.person）以及处理人，每人一份。不是本租户人员的跳过。每张工单每人最多一次
--   （key "sla:<工单 id>:<人员>"），重开后再次解决也不重复。
--   attribute_to = "assignee" (default): the ticket's assignee; "everyone": each person who acted on the
--   ticket (history[].by.person) and the assignee, each once. Anyone not one of the tenant's people is
--   skipped. At most once per ticket and person (key "sla:<ticket id>:<person>"), also when the ticket is
--   reopened and resolved again.
--
-- 可疑评价 Suspect answers: 若开单的评价被标为可疑，内核拒绝加分（nil, "suspect"），但会代为保留：审核员判定
--   “已排除”（cleared）后由内核照原样发放（同一策略、key、分值和原因），判定“确认可疑”（confirmed）则作废。本策略无需处理。
--   If the evaluation that opened the ticket is flagged suspect, the core refuses the bonus (nil, "suspect")
--   but holds it itself: it gives it as asked (same policy, key, points and reason) when an auditor clears
--   the answer, and drops it when the auditor confirms it. This policy has nothing to do for it.
--
-- 修改设置：在租户文件（如 conf/tenants/demo.lua）的 plugins 中写，然后 `vocd check` 并重新加载：
-- Settings are changed in the tenant file (for example conf/tenants/demo.lua), then `vocd check` and reload:
--
--   ["incentives/sla_bonus"] = { points = 3, attribute_to = "assignee" },

local settings = vocd.settings

-- Whom the bonus goes to, in order, each once.
local function recipients(t)
  local out, seen = {}, {}
  local function add(id)
    if type(id) == "string" and id ~= "" and not seen[id] then
      seen[id] = true
      out[#out + 1] = id
    end
  end
  add(t.assignee)
  if settings.attribute_to == "everyone" and type(t.history) == "table" then
    for _, entry in ipairs(t.history) do
      if type(entry) == "table" and type(entry.by) == "table" then add(entry.by.person) end
    end
  end
  return out
end

vocd.hook("ticket.changed", function(t)
  local change = t.change
  if type(change) ~= "table" or change.to ~= "resolved" then return end
  local resolve = type(t.sla) == "table" and t.sla.resolve or nil
  if type(resolve) ~= "table" or resolve.met ~= true then return end
  local known = {}
  for _, person in ipairs(vocd.people()) do known[person.id] = true end
  for _, person in ipairs(recipients(t)) do
    if known[person] then
      local id, why = vocd.points.award({
        person = person, points = settings.points, ticket = t.id, key = "sla:" .. t.id .. ":" .. person,
        reason = { ["zh-CN"] = string.format("工单 %s 在时限内解决", t.id),
                   en = string.format("Ticket %s resolved within its deadline", t.id) },
      })
      -- suspect: held by the core until an auditor decides
      if not id and why ~= "suspect" then vocd.log.info("no SLA bonus for ticket", t.id, "to", person, ":", why) end
    end
  end
end)

return { version = "1.1.0", api = 1, audience = "staff" }
