-- Settings of incentives/monthly_leaderboard / 激励策略“月度排行榜”的设置
return {
  fields = {
    min_answers = { type = "integer", default = 20, min = 1, max = 100000,
                    description = "CSAT answers a person needs in the month to be ranked / 当月至少有多少条满意度回答才参与排名" },
  },
}
