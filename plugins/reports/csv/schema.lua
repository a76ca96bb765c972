-- Settings of reports/csv / 报表格式 CSV 的设置
return {
  fields = {
    separator = { type = "enum", values = { ",", ";" }, default = ",",
                  description = "the field separator: \",\", or \";\" for Excel set to a European locale / 字段分隔符" },
  },
}
