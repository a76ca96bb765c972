-- 激励策略：感谢客户参与 / Incentive policy: thanking customers who take part (customers)
--
-- 何时 When:   每条评价（非可疑的，或经审核排除可疑的）之后，内核调用 "answer"；评价更正不调用。
--              After every answer that is not suspect (or once an auditor clears it) the core calls
--              "answer"; not for corrections.
-- 条件 If / 动作 Then:
--   1. 每次参与：给客户 participation_points 积分（默认 10）。
--      Each answer: participation_points (10) points to the customer.
--   2. 详细反馈：文字的有效字数（字母、数字、汉字，同一字符连写最多计 2 个）不少于 detail_min_chars（默认 30），
--      给客户一张 detail_coupon（默认 5 元）。
--      A detailed answer, useful_chars (letters, digits and CJK characters, a run of one character counted
--      at most twice) at least detail_min_chars (30): a detail_coupon (5 CNY) to the customer.
--   3. 推荐：被推荐的新客户首次评价时，给推荐人一张 referral_coupon（默认 20 元）。
--      A referral: on a referred customer's first answer, a referral_coupon (20 CNY) to the one who
--      referred them.
--   奖励经 channel（默认 "sms"）渠道插件通知客户。
--   The customer is told through the channel plugin `channel` ("sms").
--
-- 不得诱导好评 No inducement: 奖励只看是否参与、反馈是否详细、是否推荐，从不看分数（内核不提供分数和文字，
--   读取即报错）。好评差评得到的奖励完全相同。
--   Rewards depend on taking part, on detail and on referrals, never on the score: the core does not hand
--   this policy scores or text (reading them raises). A 1 and a 5 earn exactly the same.
--
-- 归属 Attribution: 每条评价最多一次参与积分（key "answer:<评价 id>"）和一张详细反馈券（"detail:<评价 id>"）；
--   每位新客户最多给推荐人一张券（"referral:<新客户 id>"）。
--   At most one participation entry (key "answer:<evaluation>") and one detail coupon ("detail:<evaluation>")
--   per answer; at most one referral coupon per new customer ("referral:<customer>").
--
-- 修改设置：在租户文件（如 conf/tenants/demo.lua）的 plugins 中写，然后 `vocd check` 并重新加载；0 表示不发该项：
-- Settings are changed in the tenant file (for example conf/tenants/demo.lua), then `vocd check` and reload;
-- 0 switches a reward off:
--
--   ["incentives/customer_thanks"] = { participation_points = 10, detail_min_chars = 30,
--                                      detail_coupon = { value = 5, currency = "CNY" },
--                                      referral_coupon = { value = 20, currency = "CNY" }, channel = "sms" },

local settings = vocd.settings

local function coupon(c) return { value = c.value, currency = c.currency or "CNY" } end

vocd.handle("answer", function(a)
  if settings.participation_points > 0 then
    vocd.points.reward({
      customer = a.customer, points = settings.participation_points, evaluation = a.evaluation,
      key = "answer:" .. a.evaluation, channel = settings.channel,
      reason = { ["zh-CN"] = "感谢您参与评价", en = "Thank you for your feedback" },
    })
  end
  if settings.detail_coupon.value > 0 and (a.useful_chars or 0) >= settings.detail_min_chars then
    vocd.points.reward({
      customer = a.customer, coupon = coupon(settings.detail_coupon), evaluation = a.evaluation,
      key = "detail:" .. a.evaluation, channel = settings.channel,
      reason = { ["zh-CN"] = "感谢您详细的反馈", en = "Thank you for your detailed feedback" },
    })
  end
  if a.first == true and type(a.referred_by) == "string" and a.referred_by ~= ""
     and settings.referral_coupon.value > 0 then
    vocd.points.reward({
      customer = a.referred_by, coupon = coupon(settings.referral_coupon), evaluation = a.evaluation,
      key = "referral:" .. a.customer, channel = settings.channel,
      reason = { ["zh-CN"] = "感谢您推荐新客户", en = "Thank you for recommending us" },
    })
  end
end)

return { version = "1.0.0", api = 1, audience = "customers" }
