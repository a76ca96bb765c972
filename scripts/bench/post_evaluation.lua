-- wrk script for scripts/bench-ingest: POSTs one server-to-server evaluation per request over keep-alive
-- (POST /api/v1/evaluations, see docs/http-api.md "Evaluations").
--
-- Arguments (after `--` on the wrk command line): TOKEN [PATH [WARMUP_S DURATION_S [CONNECTIONS_PER_THREAD]]]
-- Bodies vary: CSAT 1-5 and NPS 0-10, 2 to 4 of the demo survey's dimensions, 0 to 3 distinct tags,
-- Chinese free text of 20 to 200 characters, a customer external id and a service context (type, agent,
-- team, store). No invitation and no personal data, so no consent is needed. Each wrk thread makes a pool
-- of POOL requests at start (seeded by its index, so a run is repeatable) and cycles through it, so that
-- building bodies takes no time from the measured run. Counting and the BENCH line: wrk_common.lua.

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_common.lua")

local POOL = 4096

-- Phrases of customer feedback. Every character is 3 bytes of UTF-8 (CJK and full-width punctuation),
-- so a text of n characters is its first 3n bytes.
local phrases = {
  "客服回复很及时，", "问题一次就解决了。", "等了很久才有人接电话，", "师傅上门很准时，", "态度非常好，耐心解释。",
  "处理速度太慢了！", "希望以后能改进，", "门店环境干净整洁，", "店员推荐的产品很合适。", "退货流程有点复杂，",
  "物流比预期快两天，", "说明书写得不清楚，", "售后电话总是占线。", "工作人员很专业，", "整体体验还不错，",
  "下次还会再来。", "问题没有彻底解决，", "又打了三次电话，", "感谢你们的帮助！", "排队时间太长了，",
  "价格比别家略贵，", "包装完好无损，", "安装师傅技术过硬，", "客服一直在推销，", "回访电话很贴心。",
  "系统老是出错，", "换货只用了一天，", "服务热情周到，", "沟通很顺畅，", "建议增加周末服务时间。",
}
local dims = { "speed", "solved", "attitude", "professional" }
local tags = { "fast", "friendly", "slow", "unsolved" }
local types = { "after_sales", "delivery", "store_visit", "online_chat" }
local channels = { "api", "app", "phone" }

local function text(n)
  local parts, bytes = {}, 0
  while bytes < 3 * n do
    local p = phrases[math.random(#phrases)]
    table.insert(parts, p)
    bytes = bytes + #p
  end
  return table.concat(parts):sub(1, 3 * n)
end

-- k distinct entries of list, in random order.
local function pick(list, k)
  local copy = { unpack(list) }
  for i = 1, k do
    local j = math.random(i, #copy)
    copy[i], copy[j] = copy[j], copy[i]
  end
  return { unpack(copy, 1, k) }
end

local function body()
  local d = {}
  for _, id in ipairs(pick(dims, math.random(2, 4))) do
    table.insert(d, string.format('"%s":%d', id, math.random(1, 5)))
  end
  local t = {}
  for _, id in ipairs(pick(tags, math.random(0, 3))) do
    table.insert(t, '"' .. id .. '"')
  end
  return string.format(
    '{"customer":"c-%06d","context":{"type":"%s","agent":"a-%d","team":"t-%d","store":"s-%d"},' ..
    '"channel":"%s","lang":"zh-CN","answer":{"scores":{"csat":%d,"nps":%d},"dimensions":{%s},"tags":[%s],' ..
    '"text":"%s"}}',
    math.random(1, 100000), types[math.random(#types)], math.random(1, 200), math.random(1, 20),
    math.random(1, 50), channels[math.random(#channels)], math.random(1, 5), math.random(0, 10),
    table.concat(d, ","), table.concat(t, ","), text(math.random(20, 200)))
end

function init(args)
  local headers, path = bench_init(args, "/api/v1/evaluations")
  math.randomseed(7919 * (thread_index or 1))
  pool = {}
  for i = 1, POOL do
    pool[i] = wrk.format("POST", path, headers, body())
  end
  next_req = 0
end

function request()
  next_req = next_req % POOL + 1
  return bench_request(pool[next_req])
end
