-- Settings of incentives/voice_of_customer_award / 激励策略“客户之声激励奖”的设置
return {
  fields = {
    winners = { type = "integer", default = 3, min = 1, max = 100,
                description = "how many people win each quarter / 每季度获奖人数" },
    min_answers = { type = "integer", default = 30, min = 1, max = 100000,
                    description = "CSAT answers a person needs in the quarter to be considered / 当季至少有多少条满意度回答才可参评" },
    points = { type = "integer", default = 500, min = 1, max = 100000,
               description = "points each winner receives / 每位获奖者所得积分" },
  },
}
