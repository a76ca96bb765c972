-- vocd server configuration / vocd 服务器配置
--
-- This file is Lua, but only plain settings are allowed here: `name = value` lines.
-- 本文件只允许 `名称 = 值` 形式的设置。`vocd check --config FILE` checks it without starting the server.
-- Tenants are configured one file each in tenants/<id>.lua beside this file.
-- 每个租户一个文件：本文件旁的 tenants/<租户ID>.lua。

-- Address and port to listen on (HTTPS). 监听地址与端口（HTTPS）。
listen = "127.0.0.1:8443"

-- PEM file holding the private key and the certificate. When unset, vocd generates a development
-- certificate for localhost in the data directory (browsers will warn: do not use it in production).
-- 含私钥和证书的 PEM 文件；不设置时 vocd 在数据目录中生成仅供开发用的证书。
-- tls_certificate = "/etc/vocd/tls.pem"

-- The master key that encrypts customers' personal data. Keep it OUTSIDE the data directory (and out of
-- its backups); `vocd init` creates it. Losing it makes the personal data unreadable.
-- 加密客户个人信息的主密钥，须放在数据目录之外（也不要与数据备份放在一起）；由 `vocd init` 生成。
key_file = "keys/master.key"

-- Plain HTTP instead of HTTPS, only behind a TLS-terminating proxy on the same machine.
-- 仅当同机有 TLS 反向代理时才可改为明文 HTTP。
plain_http = false

-- Where the database, the development certificate and the access log live. 数据目录。
data_dir = "data"

-- Access log: a file name (relative to data_dir), "-" for the standard error, false for none.
access_log = "access.log"

threads = {
  http = 16, -- connections served at once / 同时处理的连接数
  bus = 2,   -- event delivery threads / 事件投递线程数
}

limits = {
  max_body = "1MiB",            -- largest request body (413 beyond) / 请求体上限
  max_header = "16KiB",         -- request line and headers / 请求头上限
  request_timeout = 30,         -- seconds for a whole request / 单个请求的时限（秒）
  db_max_size = "16GiB",        -- the database never grows beyond this (507 after) / 数据库上限
  lua_memory = "32MiB",         -- memory of one plugin state / 单个插件状态的内存上限
  lua_instructions = 10000000,  -- instructions for one hook run / 单次钩子运行的指令数上限
  lua_load_instructions = 50000000, -- instructions for loading a plugin / 加载插件的指令数上限
  lua_max_string = "4MiB",      -- longest string a plugin may build with string.rep / 字符串上限
}
