-- Settings of reports/html / 报表格式网页的设置
return {
  fields = {
    brand = { type = "string", default = "", max = 100,
              description = "the organisation's name at the top of the page / 页眉上的机构名称" },
  },
}
