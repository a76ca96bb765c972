-- Settings of reports/xlsx / 报表格式 Excel 的设置
return {
  fields = {
    column_width = { type = "integer", default = 14, min = 4, max = 100,
                     description = "the width of every column, in characters / 列宽（字符数）" },
  },
}
