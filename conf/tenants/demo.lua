-- Demo tenant / 演示租户
--
-- One file per tenant: the file name (here "demo") is the tenant id. Only `name = value` settings.
-- 每个租户一个文件，文件名（此处为 demo）即租户 ID。

name = "Demo 演示"

-- Plugins enabled for this tenant, by folder under plugins/, with this tenant's settings for each.
-- 为本租户启用的插件（plugins/ 下的目录名）及其设置。
plugins = {
}
