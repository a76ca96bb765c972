-- The evaluations of scripts/bench-reports, as a function of their number: the same rows for vocd (through
-- post_report.lua, under wrk's LuaJIT) and for PostgreSQL (this file run by `lua`, printing CSV for COPY).
-- Only integer arithmetic below 2^53, so that LuaJIT's doubles and Lua 5.4's integers agree.
--
-- Row i (1 to N) of month m (1 to 12, the first month loaded being 1): agent a-001 to a-200, team t-01 to
-- t-20 (ten agents each), channel app, phone or web, CSAT 1-5 (about 45 % 5, 28 % 4, 12 % 3, 6 % 2, 9 % 1,
-- better for some agents than for others and slowly better month after month), NPS 0-10 following the
-- CSAT (9-10 after a 5, 0-3 after a 1) with one answer in ten drawn at random, customer c-<i> (each once).
--
-- Layout (shared with the loader): month m gets N / 12 rows (the first N % 12 months one more), numbered on;
-- within a month, wrk thread t of T takes a contiguous share, and its j-th row (0-based) of q falls on the
-- day floor(j * days / q) + 1 of the month.
--
-- As a script: lua report_rows.lua N THREADS YEAR MONTH  prints tenant,id,created_at,agent,team,channel,csat,nps
-- for the 12 months from YEAR-MONTH, created_at at 09:00 +08:00 of the row's day plus i mod 3600 seconds.

local M = {}

local P = 67108837 -- a prime below 2^26: x * x stays below 2^53

-- A number in [0, 1) from row i and stream k (squaring modulo a prime: not linear in i).
local function u(i, k)
  local x = (i * 40503 + k * 9973 + 7) % P
  for _ = 1, 3 do
    x = (x * x + 1234567 * k + 1) % P
  end
  return x / P
end

local channels = { "app", "phone", "web" }

-- agent, team, channel, csat, nps of row i in month m.
function M.row(i, m)
  local agent = 1 + math.floor(u(i, 1) * 200)
  local team = math.floor((agent - 1) / 10) + 1
  local quality = (agent * 37 % 100) / 100 - 0.5
  local x = u(i, 2) - 0.16 * quality - 0.006 * (m - 6.5)
  local csat = x < 0.45 and 5 or x < 0.73 and 4 or x < 0.85 and 3 or x < 0.91 and 2 or 1
  local nps = math.floor(2 * csat - 1 + u(i, 3) * 3)
  if u(i, 4) < 0.1 then
    nps = math.floor(u(i, 5) * 11)
  end
  nps = math.max(0, math.min(10, nps))
  local r = u(i, 6)
  local channel = channels[r < 0.5 and 1 or r < 0.8 and 2 or 3]
  return agent, team, channel, csat, nps
end

-- The rows of month m (1-12) out of n: the number of the first and how many.
function M.month_share(n, m)
  local base, extra = math.floor(n / 12), n % 12
  local first = 1 + (m - 1) * base + math.min(m - 1, extra)
  return first, base + (m <= extra and 1 or 0)
end

-- Thread t's (1-based) share of a month of `count` rows from `first`: its first row and how many.
function M.thread_share(first, count, t, threads)
  local base, extra = math.floor(count / threads), count % threads
  return first + (t - 1) * base + math.min(t - 1, extra), base + (t <= extra and 1 or 0)
end

-- The day of the month (1-based) of a thread's j-th row (0-based) of q, in a month of `days` days.
function M.day(j, q, days)
  return math.floor(j * days / q) + 1
end

-- The JSON body of row i of month m.
function M.body(i, m)
  local agent, team, channel, csat, nps = M.row(i, m)
  return string.format('{"customer":"c-%07d","context":{"agent":"a-%03d","team":"t-%02d"},"channel":"%s",' ..
    '"answer":{"scores":{"csat":%d,"nps":%d}}}', i, agent, team, channel, csat, nps)
end

local function days_in(year, month)
  local d = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  if month == 2 and (year % 4 == 0 and (year % 100 ~= 0 or year % 400 == 0)) then
    return 29
  end
  return d[month]
end
M.days_in = days_in

if arg and arg[0] and arg[0]:match("report_rows%.lua$") and arg[4] then
  local n, threads, year, month = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3]), tonumber(arg[4])
  local out = io.stdout
  for m = 1, 12 do
    local y, mo = year + math.floor((month - 1 + m - 1) / 12), (month - 1 + m - 1) % 12 + 1
    local days = days_in(y, mo)
    local first, count = M.month_share(n, m)
    for t = 1, threads do
      local tf, q = M.thread_share(first, count, t, threads)
      for j = 0, q - 1 do
        local i = tf + j
        local agent, team, channel, csat, nps = M.row(i, m)
        local s = i % 3600
        out:write(string.format("bench,%d,%04d-%02d-%02d %02d:%02d:%02d+08,a-%03d,t-%02d,%s,%d,%d\n", i, y, mo,
          M.day(j, q, days), 9 + math.floor(s / 3600), math.floor(s / 60) % 60, s % 60, agent, team, channel,
          csat, nps))
      end
    end
  end
end

return M
