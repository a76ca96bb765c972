-- Settings of workflows/keyword_alert / 规则“敏感词最高优先级”的设置
return {
  fields = {
    keywords = { type = "array", items = { type = "string", min = 1, max = 64 }, min = 1, max = 200,
                 default = { "欺诈", "诈骗", "安全漏洞", "泄露", "报警", "fraud", "security hole", "data leak" },
                 description = "the words that make feedback urgent / 触发最高优先级的词" },
    role = { type = "string", default = "risk_officer", min = 1, max = 64,
             description = "the role (people = { … roles = { … } }) that handles it / 处理的角色" },
    channel = { type = "string", default = "sms", min = 1, max = 64,
                description = "the channel plugin the alert goes through / 预警渠道" },
  },
}
