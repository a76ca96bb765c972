-- Shared by the wrk scripts of scripts/bench-core and scripts/bench-ingest (loaded with dofile by
-- post_event.lua and post_evaluation.lua): counts 201 answers on the monotonic clock and prints the one
-- BENCH line the shell scripts parse. The including script defines init(args), calls bench_init(args)
-- from it, and defines request() as `return bench_request(<the formatted request>)`.
--
-- Arguments (after `--` on the wrk command line):
--   TOKEN [PATH [WARMUP_S DURATION_S [CONNECTIONS_PER_THREAD]]]
-- An empty TOKEN sends no Authorization. Answers other than 201 are counted per status.
--
-- The steady rate leaves out the start, where all connections do their TLS handshake at once. wrk runs
-- for WARMUP_S + DURATION_S; 201s are counted per 100 ms on the monotonic clock (LuaJIT's FFI), and the
-- window is from the later of WARMUP_S and the moment every connection had a request in flight, to the
-- end. (wrk calls request() once a connection is writable, i.e. after its handshake, and keeps one request
-- in flight per connection, so requests minus answers counts the connections that are up.)
-- Without WARMUP_S and DURATION_S the window is the second half of the run. done() prints one line
--   BENCH requests=N ok=N duration_us=N p50_us=N p99_us=N steady_ok=N steady_us=N ready_ms=N|-1
--         per_second=N,N,... non201=N statuses=CODE:N,... connect=N read=N write=N timeout=N
-- (ready_ms: when all connections were up, -1 if never), and when there were other answers, a line
--   BENCH_SAMPLE STATUS BODY   the first of them (body cut at 300 bytes, on one line).

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local threads = {}

-- Runs in the main state. origin and thread_index are globals, not locals, so that thread:set reaches
-- the threads (thread_index: 1, 2, ... so that each thread can seed its own random bodies).
function setup(thread)
  origin = origin or now()
  thread:set("origin", origin)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

-- Reads the arguments and resets the counters; returns the headers for the requests and the path.
function bench_init(args, default_path)
  local token = args[1] or ""
  local path = args[2] or default_path
  warmup_seconds = tonumber(args[3]) or -1
  run_seconds = tonumber(args[4]) or 0
  per_thread = tonumber(args[5]) or 0
  local headers = { ["Content-Type"] = "application/json" }
  if token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  ok = 0
  other = {}
  buckets = {} -- 100 ms slot since origin -> 201 answers
  sample = "" -- the first answer other than 201: status and the start of the body
  in_flight = 0
  ready = -1 -- seconds since origin when all of this thread's connections were up
  return headers, path
end

function bench_request(req)
  in_flight = in_flight + 1
  if ready < 0 and per_thread > 0 and in_flight >= per_thread then
    ready = now() - origin
  end
  return req
end

function response(status, headers, body)
  in_flight = in_flight - 1
  if status == 201 then
    ok = ok + 1
    local slot = math.floor((now() - origin) * 10)
    buckets[slot] = (buckets[slot] or 0) + 1
  else
    other[status] = (other[status] or 0) + 1
    if sample == "" then
      sample = status .. " " .. (body or ""):sub(1, 300):gsub("%s+", " ")
    end
  end
end

function done(summary, latency, requests)
  local total_ok, total_other, by_status, slots = 0, 0, {}, {}
  local ready_all = 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    for slot, n in pairs(t:get("buckets")) do
      slots[slot] = (slots[slot] or 0) + n
    end
    for status, n in pairs(t:get("other")) do
      by_status[status] = (by_status[status] or 0) + n
      total_other = total_other + n
    end
    if first_sample == nil and t:get("sample") ~= "" then
      first_sample = t:get("sample")
    end
    local r = t:get("ready")
    if ready_all >= 0 then
      ready_all = r < 0 and -1 or math.max(ready_all, r)
    end
  end
  local list = {}
  for status, n in pairs(by_status) do
    table.insert(list, status .. ":" .. n)
  end
  table.sort(list)

  local warmup, window = -1, 0
  if #threads > 0 then
    warmup, window = threads[1]:get("warmup_seconds"), threads[1]:get("run_seconds")
  end
  local seconds = math.floor(summary.duration / 1e6)
  if warmup < 0 or window <= 0 then
    warmup, window = seconds / 2, seconds / 2
  else
    seconds = warmup + window
  end
  local last = math.floor((warmup + window) * 10) -- first slot after the window
  local first = math.ceil(math.max(warmup, ready_all) * 10) -- first slot of the window
  if first > last then
    first = last
  end
  local steady = 0
  for slot = first, last - 1 do
    steady = steady + (slots[slot] or 0)
  end
  local per_second = {}
  for s = 0, seconds - 1 do
    local n = 0
    for slot = s * 10, s * 10 + 9 do
      n = n + (slots[slot] or 0)
    end
    table.insert(per_second, n)
  end

  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d ok=%d duration_us=%d p50_us=%d p99_us=%d steady_ok=%d steady_us=%d ready_ms=%d " ..
    "per_second=%s non201=%d statuses=%s connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, total_ok, summary.duration, latency:percentile(50), latency:percentile(99),
    steady, (last - first) * 100000, ready_all < 0 and -1 or math.floor(ready_all * 1000),
    #per_second > 0 and table.concat(per_second, ",") or "-",
    total_other, #list > 0 and table.concat(list, ",") or "-", e.connect, e.read, e.write, e.timeout))
  if first_sample then
    io.write("BENCH_SAMPLE " .. first_sample .. "\n")
  end
end
