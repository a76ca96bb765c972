-- Settings of reports/json / 报表格式 JSON 的设置
return {
  fields = {
    pretty = { type = "boolean", default = false,
               description = "indent the JSON for people to read / 缩进排版便于阅读" },
  },
}
