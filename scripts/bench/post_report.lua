-- wrk script for scripts/bench-reports: POSTs one month of the rows of report_rows.lua, each exactly once
-- (POST /api/v1/evaluations), and moves vocd's faked clock through the month's days as it goes.
--
-- Arguments (after `--` on the wrk command line):
--   TOKEN PATH CONNECTIONS_PER_THREAD THREADS MONTH FIRST COUNT DAYS DAY1 CLOCK_FILE DONE_PREFIX
-- MONTH: 1-12 (the first month loaded is 1); rows FIRST to FIRST + COUNT - 1 are the month's, split between
-- THREADS threads as report_rows.thread_share says. DAY1: the Unix time of the month's first day at 09:00
-- +08:00. CLOCK_FILE: libfaketime's FAKETIME_TIMESTAMP_FILE of the vocd under load (read on every clock call,
-- FAKETIME_NO_CACHE): thread 1 writes "-<seconds>" there as its rows pass from one day of the month to the
-- next, so the other thread's rows near a day's end may be stamped a day off (never a month off: each month
-- is a vocd of its own). Once a thread has sent its share it asks GET /healthz, not counted, until every POST
-- of its share has its answer, then stops and creates DONE_PREFIX<thread>; the shell script then stops wrk
-- with SIGINT (wrk would otherwise wait out -d). Counting and the BENCH line: wrk_common.lua (201s only).

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or ""
dofile(dir .. "wrk_common.lua")
local rows = dofile(dir .. "report_rows.lua")

local common_response = response
local MAX_TAIL = 200000 -- /healthz answers after the share: a POST never answered (a socket error); give up

local function set_clock(day)
  local f = io.open(clock_file .. ".new", "w")
  f:write(string.format("-%d\n", os.time() - (day1 + (day - 1) * 86400)))
  f:close()
  os.rename(clock_file .. ".new", clock_file)
end

function init(args)
  local headers, path = bench_init({ args[1], args[2], -1, 0, args[3] }, "/api/v1/evaluations")
  local threads, first, count = tonumber(args[4]), tonumber(args[6]), tonumber(args[7])
  month, days, day1 = tonumber(args[5]), tonumber(args[8]), tonumber(args[9])
  clock_file, done_file = args[10], args[11] .. (thread_index or 1)
  start, quota = rows.thread_share(first, count, thread_index or 1, threads)
  post_headers, post_path = headers, path
  sent, answered, tail, day = 0, 0, 0, 1
  -- wrk asks the first thread's script for one request before any connection, to check it: that call must
  -- not use up a row.
  checked = (thread_index or 1) ~= 1
  if quota == 0 then
    io.open(done_file, "w"):close()
  end
end

function request()
  if not checked then
    checked = true
    return wrk.format("GET", "/healthz")
  end
  if sent >= quota then
    return bench_request(wrk.format("GET", "/healthz"))
  end
  if thread_index == 1 then
    local d = rows.day(sent, quota, days)
    if d ~= day then
      day = d
      set_clock(d)
    end
  end
  local i = start + sent
  sent = sent + 1
  return bench_request(wrk.format("POST", post_path, post_headers, rows.body(i, month)))
end

function response(status, headers, body)
  if status == 200 then -- /healthz
    in_flight = in_flight - 1
    tail = tail + 1
    if tail < MAX_TAIL then
      return
    end
  else
    common_response(status, headers, body)
    answered = answered + 1
  end
  if answered >= quota or tail >= MAX_TAIL then
    io.open(done_file, "w"):close()
    wrk.thread:stop()
  end
end
