-- Settings of incentives/service_points / 激励策略“服务积分”的设置
return {
  fields = {
    csat_at_least = { type = "integer", default = 4, min = 1, max = 5,
                      description = "a CSAT at or above this earns points / 满意度不低于此值才得积分" },
    points_good = { type = "integer", default = 2, min = 1, max = 100000,
                    description = "points to the agent who served, for a good CSAT / 好评时给服务客服的积分" },
    points_compliment = { type = "integer", default = 5, min = 1, max = 100000,
                          description = "points to a person the customer thanks by name / 客户点名表扬时给被表扬者的积分" },
    compliment_words = { type = "array", items = { type = "string", min = 1 }, max = 50,
                         default = { "感谢", "谢谢", "表扬", "点赞", "专业", "thank", "thanks", "great", "helpful" },
                         description = "words that make a named mention a compliment (English ones in any case) / "
                           .. "点名时须同时出现的表扬用语（英文不区分大小写）" },
  },
}
