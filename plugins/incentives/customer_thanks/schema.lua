-- Settings of incentives/customer_thanks / 激励策略“感谢客户参与”的设置
local function coupon(value, what)
  return { type = "table", default = { value = value, currency = "CNY" },
           fields = {
             value = { type = "number", required = true, min = 0, max = 100000,
                       description = "the coupon's value; 0 gives none / 券面值，0 表示不发" },
             currency = { type = "string", default = "CNY", min = 3, max = 3,
                          description = "3 letters / 币种（3 个字母）" },
           },
           description = what }
end

return {
  fields = {
    participation_points = { type = "integer", default = 10, min = 0, max = 100000,
                             description = "points to the customer for each answer; 0 gives none / "
                               .. "每次参与评价给客户的积分，0 表示不给" },
    detail_min_chars = { type = "integer", default = 30, min = 1, max = 10000,
                         description = "useful characters of free text that make a detailed answer / "
                           .. "文字评价的有效字数达到多少算详细反馈" },
    detail_coupon = coupon(5, "the coupon for a detailed answer / 详细反馈的优惠券"),
    referral_coupon = coupon(20, "the coupon to the customer who referred a new one, on the new one's first answer / "
                               .. "被推荐的新客户首次评价时，给推荐人的优惠券"),
    channel = { type = "string", default = "sms", min = 1, max = 64,
                description = "the channel plugin that tells the customer (\"sms\", \"email\") / 通知客户的渠道插件" },
  },
}
