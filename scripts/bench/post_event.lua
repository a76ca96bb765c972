-- wrk script for scripts/bench-core: POSTs one new service event per request over keep-alive.
--
-- Arguments (after `--` on the wrk command line): TOKEN [PATH [WARMUP_S DURATION_S [CONNECTIONS_PER_THREAD]]]
-- Every request has the same body without external_id, so vocd stores each one as a new durable record
-- and answers 201. Counting, the steady window and the BENCH line: wrk_common.lua beside this file.

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk_common.lua")

function init(args)
  local headers, path = bench_init(args, "/api/v1/service-events")
  local body = '{"type":"visit","context":{"agent":"a-17","store":"s-3"}}'
  req = wrk.format("POST", path, headers, body)
end

function request()
  return bench_request(req)
end
