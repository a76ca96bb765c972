-- incentives/customer_thanks against the stub: answers + settings -> the rewards of the ledger. The stub
-- hands "answer" what the core does: no scores, no text, and reading them raises (no inducement).
local stub = require("vocd_stub")

local function answer(evaluation, customer, useful_chars, over)
  local a = { evaluation = evaluation, customer = customer, channel = "sms", lang = "zh-CN", answered_at = 1700000000000,
              useful_chars = useful_chars, tags = 1, first = false }
  for k, v in pairs(over or {}) do a[k] = v end
  return a
end

-- Rewards compactly: {customer, points or "value currency", key, channel}.
local function compact(rewards)
  local out = {}
  for _, r in ipairs(rewards) do
    out[#out + 1] = { r.customer, r.points or (r.coupon.value .. " " .. r.coupon.currency), r.key, r.channel }
  end
  return out
end

-- name, settings, answers -> rewards {customer, points or coupon, key, channel}
local cases = {
  { "an answer earns 10 points", nil, { answer("e1", "c-1", 4) }, { { "c-1", 10, "answer:e1", "sms" } } },
  { "a detailed answer also earns a 5 CNY coupon", nil, { answer("e1", "c-1", 30) },
    { { "c-1", 10, "answer:e1", "sms" }, { "c-1", "5 CNY", "detail:e1", "sms" } } },
  { "29 useful characters are not detailed", nil, { answer("e1", "c-1", 29) }, { { "c-1", 10, "answer:e1", "sms" } } },
  { "a referred customer's first answer: 20 CNY to the referrer", nil,
    { answer("e1", "c-2", 0, { first = true, referred_by = "c-1" }) },
    { { "c-2", 10, "answer:e1", "sms" }, { "c-1", "20 CNY", "referral:c-2", "sms" } } },
  { "referred_by on a later answer gives nothing more", nil,
    { answer("e1", "c-2", 0, { first = false, referred_by = "c-1" }) }, { { "c-2", 10, "answer:e1", "sms" } } },
  { "one referral coupon per new customer", nil,
    { answer("e1", "c-2", 0, { first = true, referred_by = "c-1" }), answer("e1", "c-2", 0, { first = true, referred_by = "c-1" }) },
    { { "c-2", 10, "answer:e1", "sms" }, { "c-1", "20 CNY", "referral:c-2", "sms" } } },
  { "the same answer twice is rewarded once", nil, { answer("e1", "c-1", 40), answer("e1", "c-1", 40) },
    { { "c-1", 10, "answer:e1", "sms" }, { "c-1", "5 CNY", "detail:e1", "sms" } } },
  { "the tenant's settings", { participation_points = 3, detail_min_chars = 10, channel = "email",
                               detail_coupon = { value = 8.5, currency = "USD" }, referral_coupon = { value = 50 } },
    { answer("e1", "c-2", 10, { first = true, referred_by = "c-1" }) },
    { { "c-2", 3, "answer:e1", "email" }, { "c-2", "8.5 USD", "detail:e1", "email" },
      { "c-1", "50 CNY", "referral:c-2", "email" } } },
  { "0 switches a reward off", { participation_points = 0, detail_coupon = { value = 0 }, referral_coupon = { value = 0 } },
    { answer("e1", "c-2", 100, { first = true, referred_by = "c-1" }) }, {} },
}

describe("customer_thanks", function()
  for _, case in ipairs(cases) do
    it(case[1], function()
      local p = stub.load(stub.plugin_dir(), case[2])
      for _, a in ipairs(case[3]) do p:call("answer", a) end
      assert.are.same(case[4], compact(p.rewards))
      assert.are.same({}, p.errors)
      assert.are.same({}, p:log_lines("error"))
    end)
  end

  it("is a customer policy with no hooks", function()
    local p = stub.load(stub.plugin_dir())
    assert.are.equal("customers", p.audience)
    assert.are.same({}, p.hooks)
  end)

  it("does not reward the score: a 1 and a 5 earn the same, and the policy never reads a score", function()
    local rewards = {}
    for csat = 1, 5 do
      local p = stub.load(stub.plugin_dir())
      -- Given scores and text anyway: the stub, like the core, withholds them, and raises if the policy
      -- reads them, so this call would fail for a policy that looked.
      p:call("answer", answer("e1", "c-1", 35, { scores = { csat = csat, nps = csat * 2 }, csat = csat,
                                                 text = string.rep("好", csat), first = true, referred_by = "c-9" }))
      assert.are.same({}, p.errors)
      rewards[csat] = p.rewards
    end
    for csat = 2, 5 do assert.are.same(rewards[1], rewards[csat]) end
    assert.are.equal(3, #rewards[1])
  end)

  it("the stub would catch a policy reading the score", function()
    local err = stub.error_of(function()
      local a = stub.no_inducement(answer("e1", "c-1", 0, { scores = { csat = 5 } }))
      return a.scores
    end)
    assert.matches(stub.NO_INDUCEMENT, err, 1, true)
  end)

  it("says thanks in both languages", function()
    local p = stub.load(stub.plugin_dir())
    p:call("answer", answer("e1", "c-2", 30, { first = true, referred_by = "c-1" }))
    assert.are.same({ { ["zh-CN"] = "感谢您参与评价", en = "Thank you for your feedback" },
                      { ["zh-CN"] = "感谢您详细的反馈", en = "Thank you for your detailed feedback" },
                      { ["zh-CN"] = "感谢您推荐新客户", en = "Thank you for recommending us" } },
                    { p.rewards[1].reason, p.rewards[2].reason, p.rewards[3].reason })
  end)

  it("refuses a coupon without a value", function()
    local _, problems = stub.check_settings(stub.plugin_dir(), { detail_coupon = { currency = "CNY" } })
    assert.are.equal(1, #problems)
    assert.matches("settings.detail_coupon.value: required setting missing", problems[1], 1, true)
  end)
end)
