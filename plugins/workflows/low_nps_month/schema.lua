-- Settings of workflows/low_nps_month / 规则“月度 NPS 偏低”的设置
return {
  fields = {
    below = { type = "number", default = 7, min = 0, max = 10,
              description = "an average recommend score (0-10) below this is low / 平均推荐分低于此值为偏低" },
    period = { type = "string", default = "30 days",
               description = "\"30 days\", \"7 days\", \"this month\" / 统计区间" },
    min_answers = { type = "integer", default = 5, min = 1, max = 100000,
                    description = "fewer answers than this say too little / 回答少于此数不预警" },
    channel = { type = "string", default = "email", min = 1, max = 64, description = "the channel plugin / 预警渠道" },
    quiet_days = { type = "integer", default = 7, min = 1, max = 366,
                   description = "alert about one agent, team or dealer at most once in this many days / 同一对象多少天内只预警一次" },
  },
}
