-- vocd_stub: load a vocd plugin folder in busted the way the host does (core/plugin.c), against a
-- stubbed `vocd` table that records what the plugin does, so that plugins can be tested without a
-- server. See tests/plugins/README.md.
--
--   local stub = require("vocd_stub")
--   local p = stub.load("plugins/workflows/escalate", { threshold = 2 })
--   p:emit("evaluation.created", { id = "e1", csat = 1 })
--   assert.same({ { topic = "review.requested", data = {...} } }, p.published)
--
-- What is recorded on the instance p:
--   p.stored     key -> value             vocd.store (preset with opts.store)
--   p.published  { {topic, data}, ... }   vocd.publish, and timers that fired (p:advance)
--   p.timers     key -> {at, topic, data} vocd.timer (the pending ones)
--   p.logs       { {level, message}, ... } vocd.log.* and print (level "info")
--   p.errors     { {hook, file, line, message}, ... } failed runs, as the host logs them
--   p.requests   { request, ... }         vocd.http.request (channel plugins), answered by opts.http
--   p.contact_reads { {customer, field, purpose}, ... } vocd.contact (channel plugins), from opts.contacts
--   p.now        the clock of vocd.time() (ms), settable; p:advance(ms) moves it
-- Incentive policies (plugins/incentives/*), against opts.people, opts.suspect, opts.tickets, opts.figures:
--   p.awards     { {person, points, reason, evaluation|ticket, key, id}, ... } vocd.points.award, one per entry made
--   p.rewards    { {customer, points|coupon, reason, evaluation, key, channel, id}, ... } vocd.points.reward
--   p.refusals   { {call, args, why}, ... }  calls the core refused ("suspect", "not confirmed")
--   p.held       { {person, points, reason, evaluation|ticket, key}, ... } awards refused "suspect" that the
--                core holds until an auditor decides (emit evaluation.reviewed {evaluation, decision})
--   p.figure_queries { {from, to}, ... }    vocd.points.figures
--   p.audience   "staff" or "customers", as plugin.lua returned it
local json = require("vocd_stub.json")
local sandbox = require("vocd_stub.sandbox")
local schema = require("vocd_stub.schema")
local sha256 = require("vocd_stub.sha256")

local stub = { json = json, API_VERSION = 1 }
local raise = sandbox.raise

local KEY_MAX, TOPIC_MAX = 128, 128
local DEFAULT_NOW = 1700000000000 -- a fixed time, so that specs are repeatable

local function read(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local text = f:read("a")
  f:close()
  return text
end

-- "…/workflows/escalate" -> "workflow", "escalate"
local function kind_and_name(dir)
  local kinds, name = dir:gsub("/+$", ""):match("([^/]+)/([^/]+)$")
  if not kinds then error("stub.load: expected a plugin folder <kind>s/<name>, got " .. dir, 2) end
  return kinds:gsub("s$", ""), name
end

-- "a/./b/../c/" -> "a/c": error messages then show the path a person would write.
local function normalise(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." and #parts > 0 and parts[#parts] ~= ".." then
      parts[#parts] = nil
    elseif part ~= "." then
      parts[#parts + 1] = part
    end
  end
  return (path:sub(1, 1) == "/" and "/" or "") .. table.concat(parts, "/")
end
stub.normalise = normalise

-- The error f(...) raises, in full ("<file>:<line>: <message>"); raises if f does not fail. (luassert's
-- has_error strips the "<file>:<line>: " that a spec wants to check.)
function stub.error_of(f, ...)
  local ok, err = pcall(f, ...)
  if ok then error("expected an error, got none", 2) end
  return err
end

-- The plugin folder of the spec file that calls this (a plugin's specs live in <plugin>/spec/).
function stub.plugin_dir()
  local src = debug.getinfo(2, "S").source
  local dir = src:match("^@(.*)/[^/]*$") or "."
  return normalise(dir .. "/..")
end

local function fail(problems)
  error(table.concat(problems, "\n"), 3)
end

--- Schema and settings -------------------------------------------------------------------------------

-- Runs <dir>/schema.lua in a scratch sandbox (no vocd table) and checks its shape. Returns the schema
-- tree, or nil and the list of problems.
function stub.read_schema(dir)
  local file = normalise(dir) .. "/schema.lua"
  local text, err = read(file)
  if not text then return nil, { "cannot read " .. file .. ": " .. err } end
  local box = sandbox.new()
  local res = table.pack(box:load(text, file))
  if not res[1] then
    local e = res[2]
    return nil, { string.format("%s:%d: %s", e.file ~= "" and e.file or file, e.line, e.message) }
  end
  return schema.check(res[2], file)
end

-- Validates \p settings for the plugin in \p dir. Returns the settings with defaults (what
-- vocd.settings holds), or nil and the list of problems ("settings.x: expected number, got string").
function stub.check_settings(dir, settings)
  local spec, problems = stub.read_schema(dir)
  if not spec then return nil, problems end
  return schema.validate(spec, settings)
end

--- Instances -------------------------------------------------------------------------------------------

local Plugin = {}
Plugin.__index = Plugin

local function check_key(key, fn)
  if type(key) == "number" then key = tostring(key) end
  if type(key) ~= "string" or #key == 0 or #key > KEY_MAX or key:find("\0", 1, true) then
    raise(string.format("%s: key must be 1 to %d bytes without NUL", fn, KEY_MAX))
  end
  return key
end

local function valid_name(s, allow_star)
  if #s == 0 or #s > TOPIC_MAX then return false end
  local pat = allow_star and "^[%w%._%-%*]+$" or "^[%w%._%-]+$"
  return s:find(pat) ~= nil
end

local function check_topic(topic, fn)
  if type(topic) ~= "string" then
    raise(string.format("bad argument #1 to '%s' (string expected, got %s)", fn:match("[^.]+$"), type(topic)))
  end
  if not valid_name(topic, false) then raise(string.format("%s: invalid topic '%s'", fn, topic)) end
  -- The core's own events may be hooked, never published (core/plugin_api.c).
  for _, prefix in ipairs({ "evaluation.", "invitation.", "ticket.", "notification.", "service_event.", "reply.",
                            "reward.", "points." }) do
    if topic:sub(1, #prefix) == prefix then
      raise(string.format("%s: '%s' is the core's own kind of event (%s*): a plugin may hook it, not publish it",
                          fn, topic, prefix))
    end
  end
  return topic
end

local function check_table(v, n, fname)
  if type(v) ~= "table" then
    raise(string.format("bad argument #%d to '%s' (table expected, got %s)", n, fname,
                        v == nil and "no value" or type(v)))
  end
end

-- Runs f(...) with the instruction budget paused: the host's JSON and HMAC are C code, not charged
-- (HMAC a little). Raises f's error at the plugin's line.
local function unbudgeted(f, ...)
  local hook, mask, count = debug.gethook()
  debug.sethook()
  local res = table.pack(pcall(f, ...))
  debug.sethook(hook, mask, count)
  if not res[1] then raise(res[2]) end
  return table.unpack(res, 2, res.n)
end

local function join(sep, ...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  return table.concat(parts, sep)
end

-- vocd.i18n: t[lang], then zh-CN for zh-*, then en, zh-CN, zh, then any text (core/plugin_api.c).
local function i18n(t, lang)
  if type(t) == "string" then return t end
  check_table(t, 1, "i18n")
  lang = lang or "zh-CN"
  if type(t[lang]) == "string" then return t[lang] end
  local plen = #(lang:match("^[^%-_]*"))
  local tries = { "en", "zh-CN", "zh" }
  if lang:sub(1, 2) == "zh" and plen == 2 then table.insert(tries, 1, "zh-CN") end
  for _, l in ipairs(tries) do
    if type(t[l]) == "string" then return t[l] end
  end
  for _, v in pairs(t) do
    if type(v) == "string" then return v end
  end
  return nil
end

--- Incentive policies: the points ledger -----------------------------------------------------------

local POINTS_MAX, REASON_MAX, ID_MAX = 100000, 200, 128
local NO_INDUCEMENT = "customer reward policies are not given scores or text (no inducement)"
-- What the core never hands a customer policy's "answer" handler (docs/plugin-api.md, product.md §4.6).
local WITHHELD = { "scores", "csat", "nps", "ces", "dimensions", "text" }
stub.NO_INDUCEMENT = NO_INDUCEMENT

-- \p a as the core hands it to a customer policy: without scores or text, and reading any of them
-- raises "customer reward policies are not given scores or text (no inducement)" at the plugin's line.
function stub.no_inducement(a)
  local t = {}
  for k, v in pairs(a or {}) do t[k] = v end
  local withheld = {}
  for _, k in ipairs(WITHHELD) do
    t[k] = nil
    withheld[k] = true
  end
  return setmetatable(t, {
    __index = function(_, k)
      if withheld[k] then raise(NO_INDUCEMENT) end
      return nil
    end,
    __metatable = false,
  })
end

-- The lower bound of the Wilson score interval (z defaults to 1.96); 0 when n is 0.
local function wilson_lower(good, n, z)
  if type(good) ~= "number" then raise("bad argument #1 to 'wilson_lower' (number expected, got " .. type(good) .. ")") end
  if type(n) ~= "number" then raise("bad argument #2 to 'wilson_lower' (number expected, got " .. type(n) .. ")") end
  if z ~= nil and (type(z) ~= "number" or z <= 0) then raise("vocd.wilson_lower: z must be a number > 0") end
  if n < 0 or good < 0 or good > n then
    raise(string.format("vocd.wilson_lower: expected 0 <= good <= n, got good = %s, n = %s", good, n))
  end
  if n == 0 then return 0.0 end
  z = z or 1.96
  local phat, z2 = good / n, z * z
  local v = (phat + z2 / (2 * n) - z * math.sqrt((phat * (1 - phat) + z2 / (4 * n)) / n)) / (1 + z2 / n)
  if v < 0 then v = 0.0 end
  return v
end
stub.wilson_lower = wilson_lower

local function check_reason(fn, reason)
  local function ok_text(s)
    local n = type(s) == "string" and utf8.len(s)
    return n and n >= 1 and n <= REASON_MAX
  end
  if type(reason) == "string" then
    if not ok_text(reason) then raise(fn .. ": reason must be 1 to 200 characters") end
    return
  end
  if type(reason) ~= "table" or next(reason) == nil then
    raise(fn .. ': reason must be a string or {["zh-CN"] = "…", en = "…"}')
  end
  for lang, text in pairs(reason) do
    if type(lang) ~= "string" or not ok_text(text) then
      raise(string.format("%s: reason.%s must be 1 to 200 characters", fn, tostring(lang)))
    end
  end
end

local function check_id(fn, field, v)
  if math.type(v) == "integer" then v = tostring(v) end
  if type(v) ~= "string" or #v == 0 or #v > ID_MAX then
    raise(string.format("%s: %s must be an id (1 to %d bytes)", fn, field, ID_MAX))
  end
  return v
end

local function check_whole(fn, field, v, lo, hi)
  local i = math.type(v) == "integer" and v or (math.type(v) == "float" and math.tointeger(v))
  if not i or i < lo or i > hi then
    raise(string.format("%s: %s must be a whole number from %d to %d, got %s", fn, field, lo, hi, tostring(v)))
  end
  return i
end

local function valid_day(s)
  if type(s) ~= "string" then return nil end
  local y, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return nil end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  local t = os.time({ year = y, month = m, day = d, hour = 12 })
  local back = os.date("*t", t)
  if back.year ~= y or back.month ~= m or back.day ~= d then return nil end
  return t
end

-- vocd.points.* and vocd.people of one instance: the core's checks and refusals, the ledger in p.awards /
-- p.rewards (one item per entry made; a key already used returns the first entry's id).
local function make_points(p, box, need_store)
  local function gate(fn, audience)
    if p.kind ~= "incentive" then raise(fn .. ": only incentive plugins (plugins/incentives) may use the points ledger") end
    if box.loading then raise(fn .. ": not while the plugin loads (its audience is known once plugin.lua returns)") end
    if audience == "staff" and p.audience ~= "staff" then
      raise(fn .. ': only staff policies (audience = "staff") may use it; this policy rewards customers')
    elseif audience == "customers" and p.audience ~= "customers" then
      raise(fn .. ': only customer policies (audience = "customers") may use it; this policy is for staff')
    end
  end
  local function person_known(id)
    for _, person in ipairs(p.people) do
      if person.id == id then return true end
    end
    return false
  end
  local function next_id()
    p._entry_seq = p._entry_seq + 1
    return string.format("pt-%d", p._entry_seq)
  end
  -- Makes the entry \p args (checked): a new id, the key taken, recorded in p.awards.
  local function enter(args)
    args.id = next_id()
    p._keys[args.key] = args.id
    p.awards[#p.awards + 1] = args
    return args.id
  end
  p._enter = enter
  local function refuse(call, args, why)
    p.refusals[#p.refusals + 1] = { call = call, args = args, why = why }
    return nil, why
  end

  local function award(t)
    local fn = "vocd.points.award"
    gate(fn, "staff")
    need_store(fn)
    check_table(t, 1, "award")
    local args = unbudgeted(json.copy, t)
    if type(args.person) ~= "string" or not person_known(args.person) then
      raise(string.format("%s: person %s is not one of the tenant's people", fn,
                          type(args.person) == "string" and "'" .. args.person .. "'" or tostring(args.person)))
    end
    args.points = check_whole(fn, "points", args.points, -POINTS_MAX, POINTS_MAX)
    if args.points == 0 then raise(fn .. ": points must not be 0") end
    check_reason(fn, args.reason)
    if (args.evaluation == nil) == (args.ticket == nil) then
      raise(fn .. ": give exactly one of evaluation or ticket (the id the points come from)")
    end
    if args.evaluation ~= nil then args.evaluation = check_id(fn, "evaluation", args.evaluation) end
    if args.ticket ~= nil then args.ticket = check_id(fn, "ticket", args.ticket) end
    args.key = check_key(args.key, fn)
    if p._keys[args.key] then return p._keys[args.key] end
    local ticket = args.ticket and p.tickets[args.ticket] or nil
    local evaluation = args.evaluation or (ticket and ticket.evaluation)
    local flagged = evaluation ~= nil and p.suspect[tostring(evaluation)] or nil
    local not_refused = args.points > 0 or (ticket and ticket.confirmed == true)
    -- A deduction without a confirmed complaint is refused as such first, suspect or not (core/points.c).
    if not not_refused then return refuse("award", args, "not confirmed") end
    if flagged then
      -- Flagged and no auditor has decided yet: the core holds the grant (once per key) and makes it as
      -- asked when an auditor clears the answer (evaluation.reviewed); not for an answer an auditor
      -- confirmed as suspect.
      if flagged ~= "confirmed" and not p._held_keys[args.key] then
        p._held_keys[args.key] = tostring(evaluation)
        p.held[#p.held + 1] = unbudgeted(json.copy, args)
      end
      return refuse("award", args, "suspect")
    end
    return enter(args)
  end

  local function reward(t)
    local fn = "vocd.points.reward"
    gate(fn, "customers")
    need_store(fn)
    check_table(t, 1, "reward")
    local args = unbudgeted(json.copy, t)
    if type(args.customer) ~= "string" or #args.customer == 0 then raise(fn .. ": customer must be a customer id") end
    local a = p._answer
    if a and args.customer ~= a.customer and args.customer ~= a.referred_by then
      raise(string.format("%s: customer '%s' is neither the one answering nor the one who referred them", fn,
                          args.customer))
    end
    if (args.points == nil) == (args.coupon == nil) then raise(fn .. ": give exactly one of points or coupon") end
    if args.points ~= nil then
      args.points = check_whole(fn, "points", args.points, 1, POINTS_MAX)
    else
      local c = args.coupon
      if type(c) ~= "table" or type(c.value) ~= "number" or c.value <= 0 then
        raise(fn .. ": coupon must be {value = a number > 0, currency = \"CNY\"}")
      end
      c.currency = c.currency == nil and "CNY" or c.currency
      if type(c.currency) ~= "string" or not c.currency:find("^%a%a%a$") then
        raise(fn .. ": coupon.currency must be 3 letters (\"CNY\")")
      end
    end
    check_reason(fn, args.reason)
    args.evaluation = check_id(fn, "evaluation", args.evaluation)
    if type(args.channel) ~= "string" or not args.channel:find("^[a-z0-9_%-]+$") or #args.channel > 64 then
      raise(fn .. ': channel must name the channel plugin that tells the customer ("sms", "email")')
    end
    args.key = check_key(args.key, fn)
    if p._keys[args.key] then return p._keys[args.key] end
    args.id = next_id()
    p._keys[args.key] = args.id
    p.rewards[#p.rewards + 1] = args
    return args.id
  end

  local function figures(t)
    local fn = "vocd.points.figures"
    gate(fn, "staff")
    need_store(fn)
    check_table(t, 1, "figures")
    local from, to = valid_day(t.from), valid_day(t.to)
    if not from or not to then raise(fn .. ': from and to must be days ("2026-10-01")') end
    if to < from then raise(fn .. ": from must not be after to") end
    if (to - from) // 86400 + 1 > 366 then raise(fn .. ": at most 366 days") end
    p.figure_queries[#p.figure_queries + 1] = { from = t.from, to = t.to }
    return unbudgeted(json.copy, p.figures) or {}
  end

  local function people()
    gate("vocd.people", "staff")
    return unbudgeted(json.copy, p.people) or {}
  end

  return { award = award, reward = reward, figures = figures }, people
end

-- Builds the `vocd` table of one instance (read-only, like the host's).
local function make_api(p, box)
  local function need_store(fn)
    if not p.storage then raise(fn .. ": storage unavailable") end
  end
  local function register(what, into, allow_star)
    return function(name, fn)
      if type(name) ~= "string" then
        raise(string.format("bad argument #1 to '%s' (string expected, got %s)", what,
                            name == nil and "no value" or type(name)))
      end
      if type(fn) ~= "function" then
        raise(string.format("bad argument #2 to '%s' (function expected, got %s)", what,
                            fn == nil and "no value" or type(fn)))
      end
      if not box.loading then
        raise(string.format("vocd.%s('%s'): registration is only allowed while the plugin loads", what, name))
      end
      if not valid_name(name, allow_star) then
        raise(string.format("vocd.%s: invalid name '%s' (letters, digits, '.', '_', '-')", what, name))
      end
      if into[name] then raise(string.format("vocd.%s('%s'): already registered", what, name)) end
      into[name] = fn
    end
  end
  local function logger(level)
    return function(...)
      p.logs[#p.logs + 1] = { level = level, message = join(" ", ...) }
    end
  end
  local points, people = make_points(p, box, need_store)
  local api = {
    points = points,
    people = people,
    wilson_lower = function(good, n, z)
      return wilson_lower(good, n, z) -- any plugin, as in vocd (a report may rank too)
    end,
    hook = register("hook", p._hooks, true),
    handle = register("handle", p._handles, false),
    tenant = p.tenant,
    plugin = p.name,
    api_version = stub.API_VERSION,
    settings = p.settings,
    log = { info = logger("info"), warn = logger("warn"), error = logger("error") },
    time = function() return math.tointeger(p.now) end,
    json = {
      null = json.null,
      encode = function(v, ...)
        if select("#", ...) == 0 and v == nil then raise("bad argument #1 to 'encode' (value expected)") end
        return unbudgeted(json.encode, v)
      end,
      decode = function(s) return unbudgeted(json.decode, s) end,
    },
    hmac_sha256 = function(key, msg)
      if type(key) ~= "string" and type(key) ~= "number" then
        raise("bad argument #1 to 'hmac_sha256' (string expected, got " .. type(key) .. ")")
      end
      if type(msg) ~= "string" and type(msg) ~= "number" then
        raise("bad argument #2 to 'hmac_sha256' (string expected, got " .. type(msg) .. ")")
      end
      return unbudgeted(sha256.hmac, tostring(key), tostring(msg))
    end,
    i18n = i18n,
    secure_equal = function(a, b)
      return type(a) == "string" and type(b) == "string" and a == b
    end,
    store = {
      get = function(key)
        need_store("vocd.store.get")
        key = check_key(key, "vocd.store.get")
        return unbudgeted(json.copy, p.stored[key])
      end,
      put = function(key, v)
        need_store("vocd.store.put")
        key = check_key(key, "vocd.store.put")
        p.stored[key] = unbudgeted(json.copy, v == nil and json.null or v)
        return true
      end,
    },
    publish = function(topic, t)
      need_store("vocd.publish")
      topic = check_topic(topic, "vocd.publish")
      check_table(t, 2, "publish")
      p.published[#p.published + 1] = { topic = topic, data = unbudgeted(json.copy, t) }
      return true
    end,
    timer = function(key, at, topic, t)
      need_store("vocd.timer")
      key = check_key(key, "vocd.timer")
      if math.type(at) ~= "integer" then
        raise("bad argument #2 to 'timer' (" .. (math.type(at) == "float" and "number has no integer representation"
                or "number expected, got " .. (at == nil and "no value" or type(at))) .. ")")
      end
      topic = check_topic(topic, "vocd.timer")
      check_table(t, 4, "timer")
      p.timers[key] = { at = at, topic = topic, data = unbudgeted(json.copy, t) }
      return true
    end,
    -- Channel plugins only, as in core/plugin_api.c: contact details from opts.contacts, each read
    -- recorded in p.contact_reads; HTTP requests recorded in p.requests and answered by opts.http.
    contact = function(customer, field, purpose)
      need_store("vocd.contact")
      if p.kind ~= "channel" then raise("vocd.contact: only channel plugins may read contact details") end
      if field ~= "phone" and field ~= "email" and field ~= "name" then
        raise('vocd.contact: field must be "phone", "email" or "name"')
      end
      if type(purpose) ~= "string" or #purpose == 0 or #purpose > 64 then
        raise('vocd.contact: purpose must be 1 to 64 characters saying why ("send invitation")')
      end
      local value = ((p.contacts or {})[customer] or {})[field]
      if value ~= nil then
        p.contact_reads[#p.contact_reads + 1] = { customer = customer, field = field, purpose = purpose }
      end
      return value
    end,
    http = {
      request = function(t)
        if p.kind ~= "channel" then raise("vocd.http.request: only channel plugins may send requests") end
        check_table(t, 1, "request")
        local copy = unbudgeted(json.copy, t)
        p.requests[#p.requests + 1] = copy
        local answer = p.http and p.http(copy) or { status = 200, headers = {}, body = "" }
        if answer.error then raise("vocd.http.request: " .. answer.error) end
        return unbudgeted(json.copy, answer)
      end,
    },
  }
  -- A plugin can call i18n with a read-only table (vocd.settings.x): read through it.
  return sandbox.readonly(api)
end

-- The bus's topic patterns: exact, "prefix.*" or "*" (core/bus.c).
local function matches(pattern, topic)
  if pattern == "*" then return true end
  if #pattern >= 2 and pattern:sub(-1) == "*" then
    return #topic >= #pattern and topic:sub(1, #pattern - 1) == pattern:sub(1, -2)
  end
  return pattern == topic
end

local function sorted_keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- Loads the plugin in \p dir for a tenant with \p settings. Raises with every problem, one per line
-- ("settings.threshold: expected number, got string", "<file>:<line>: <message>").
-- opts: tenant (default "test"), now (ms), store (key -> value, preset), storage (false: like
-- `vocd check`, writes raise "storage unavailable"), limits {instructions, load_instructions, max_string},
-- contacts (customer -> {phone, email, name}, for vocd.contact), http (function(request) -> response
-- {status, headers, body} or {error = "..."}, for vocd.http.request; default: 200 with an empty body).
-- Incentive policies: people (a list of {id, name, team, manager}, for vocd.people and the check of
-- award's person), suspect (evaluation id -> true: flagged, no auditor has decided; award refuses
-- "suspect" and the core holds the grant in p.held until evaluation.reviewed is emitted; "confirmed":
-- confirmed suspect by an auditor, refused and not held), tickets (ticket id -> {confirmed, evaluation}: a
-- deduction needs confirmed = true; a ticket's grant is held under its evaluation), figures (the rows
-- vocd.points.figures returns). p.suspect and p.tickets are these tables: a spec may change them.
function stub.load(dir, settings, opts)
  opts = opts or {}
  dir = normalise(dir)
  local kind, name = kind_and_name(dir)
  local validated, problems = stub.check_settings(dir, settings)
  if not validated then fail(problems) end
  local file = dir .. "/plugin.lua"
  local text, err = read(file)
  if not text then fail({ "cannot read " .. file .. ": " .. err }) end

  local p = setmetatable({
    dir = dir, kind = kind, name = name, label = kind .. "s/" .. name, file = file,
    tenant = opts.tenant or "test",
    settings = validated,
    now = opts.now or DEFAULT_NOW,
    storage = opts.storage ~= false,
    stored = {}, published = {}, timers = {}, logs = {}, errors = {},
    contacts = opts.contacts, contact_reads = {}, http = opts.http, requests = {},
    _hooks = {}, _handles = {}, _next_id = 1,
    people = opts.people or {}, suspect = opts.suspect or {}, tickets = opts.tickets or {}, figures = opts.figures or {},
    awards = {}, rewards = {}, refusals = {}, figure_queries = {}, _keys = {}, _entry_seq = 0,
    held = {}, _held_keys = {},
  }, Plugin)
  for k, v in pairs(opts.store or {}) do p.stored[k] = json.copy(v) end

  local box = sandbox.new(opts.limits, function(line)
    p.logs[#p.logs + 1] = { level = "info", message = line }
  end)
  box.base.vocd = make_api(p, box)
  p._box = box

  local res = table.pack(box:load(text, file))
  if not res[1] then
    local e = res[2]
    fail({ string.format("%s:%d: %s%s", e.file ~= "" and e.file or file, e.line,
                         e.kind == "budget" and "while loading: " or "", e.message) })
  end
  -- The shape: plugin.lua returns {version = "x.y.z", api = 1}.
  local shape = res[2]
  if type(shape) ~= "table" then
    fail({ string.format('%s: expected the file to return a table {version = "x.y.z", api = %d}, got %s',
                         file, stub.API_VERSION, type(shape)) })
  end
  if type(shape.version) ~= "string" or not shape.version:find("^%d+%.%d+%.%d+$") then
    fail({ string.format('%s: version: expected a string "x.y.z" (like "1.0.0"), got %s', file,
                         type(shape.version) == "string" and shape.version or type(shape.version)) })
  end
  if math.type(shape.api) ~= "integer" then
    fail({ string.format("%s: api: expected the plugin API version it was written for (%d), got %s", file,
                         stub.API_VERSION, type(shape.api)) })
  end
  if shape.api ~= stub.API_VERSION then
    fail({ string.format("%s: api: written for plugin API %d, this vocd provides API %d", file, shape.api,
                         stub.API_VERSION) })
  end
  -- Incentive policies say whom they reward; a customer policy is called per answer, never hooked.
  if kind == "incentive" then
    if shape.audience ~= "staff" and shape.audience ~= "customers" then
      fail({ string.format('%s: audience: expected "staff" or "customers" (whom the policy rewards), got %s', file,
                           type(shape.audience) == "string" and '"' .. shape.audience .. '"' or type(shape.audience)) })
    end
    if shape.audience == "customers" and next(p._hooks) then
      fail({ string.format('%s: a customer policy (audience = "customers") may not register vocd.hook (%s): '
                           .. 'the core calls its "answer" handler for every answer instead', file,
                           table.concat(sorted_keys(p._hooks), ", ")) })
    end
    p.audience = shape.audience
  end
  p.version = shape.version
  p.hooks = sorted_keys(p._hooks)
  p.handles = sorted_keys(p._handles)
  return p
end

-- Runs one hook or handler with JSON-copied arguments; on failure records and raises like the host.
local function invoke(p, what, fn, ...)
  local res = table.pack(p._box:run(fn, ...))
  if not res[1] then
    local e = res[2]
    local failure = { hook = what, file = e.file ~= "" and e.file or p.file, line = e.line, message = e.message,
                      kind = e.kind }
    p.errors[#p.errors + 1] = failure
    p.last_error = failure
    error(string.format("%s:%d: %s", failure.file, failure.line, failure.message), 0)
  end
  return res[2]
end

-- Calls handler \p name with \p arg (copied through JSON, as the core passes it). Returns what the core
-- would get back (the result through JSON); raises "<file>:<line>: <message>" when the handler fails.
function Plugin:call(name, arg)
  local fn = self._handles[name]
  if not fn then error(string.format("plugin %s has no handler '%s'", self.label, name), 2) end
  local a = json.copy(arg)
  -- A customer policy's "answer" gets no scores and no text (no inducement): reading them raises.
  if self.audience == "customers" and name == "answer" then
    a = stub.no_inducement(a)
    self._answer = a
  end
  local ok_run, result = pcall(invoke, self, name, fn, a)
  self._answer = nil
  if not ok_run then error(result, 0) end
  if result == nil then return nil end
  local ok, out = pcall(json.copy, result)
  if not ok then
    local msg = string.format("%s: hook %s returned a value that cannot be JSON: %s", self.file, name, out)
    local failure = { hook = name, file = self.file, line = 0, message = msg }
    self.errors[#self.errors + 1] = failure
    self.last_error = failure
    error(msg, 2)
  end
  return out
end

-- The core's part of an auditor's decision on a suspect answer (evaluation.reviewed, data {evaluation,
-- decision}), done before the event reaches any hook. "cleared": the grants held for that answer are made
-- as they were asked, in the order they were asked (a key already used makes nothing), and the answer is
-- no longer suspect (p.suspect[id] = nil). "confirmed": they are dropped and the answer is suspect for
-- good (p.suspect[id] = "confirmed": later grants are refused and not held).
local function review(p, r)
  if p.kind ~= "incentive" or type(r) ~= "table" then return end
  if r.decision ~= "cleared" and r.decision ~= "confirmed" then return end
  if type(r.evaluation) ~= "string" and math.type(r.evaluation) ~= "integer" then return end
  local id = tostring(r.evaluation)
  local i = 1
  while i <= #p.held do
    local args = p.held[i]
    if p._held_keys[args.key] == id then
      table.remove(p.held, i)
      p._held_keys[args.key] = nil
      if r.decision == "cleared" and not p._keys[args.key] then p._enter(json.copy(args)) end
    else
      i = i + 1
    end
  end
  if r.decision == "cleared" then
    p.suspect[id] = nil
  else
    p.suspect[id] = "confirmed"
  end
end

-- Delivers an event on \p topic to every hook whose pattern matches, as the bus does: data copied
-- through JSON, meta = {id, topic, tenant, time, attempt} (fields of \p meta override). Returns the
-- number of hooks run; raises the first failure after all ran (the bus would retry that hook).
-- evaluation.reviewed first does what the core does with the grants it holds (see review above).
function Plugin:emit(topic, data, meta)
  if topic == "evaluation.reviewed" then review(self, json.copy(data)) end
  local m = { id = self._next_id, topic = topic, tenant = self.tenant, time = math.tointeger(self.now), attempt = 1 }
  self._next_id = self._next_id + 1
  for k, v in pairs(meta or {}) do m[k] = v end
  local ran, first_err = 0, nil
  for _, pattern in ipairs(self.hooks) do
    if matches(pattern, topic) then
      ran = ran + 1
      local ok, err = pcall(invoke, self, pattern, self._hooks[pattern], json.copy(data), json.copy(m))
      if not ok and not first_err then first_err = err end
    end
  end
  if first_err then error(first_err, 0) end
  return ran
end

-- Moves the clock by \p ms; timers now due fire in order of time: each is removed from p.timers,
-- added to p.published and emitted to this plugin's matching hooks.
function Plugin:advance(ms)
  self.now = self.now + ms
  while true do
    local due_key
    for _, key in ipairs(sorted_keys(self.timers)) do
      local t = self.timers[key]
      if t.at <= self.now and (due_key == nil or t.at < self.timers[due_key].at) then due_key = key end
    end
    if not due_key then break end
    local t = self.timers[due_key]
    self.timers[due_key] = nil
    self.published[#self.published + 1] = { topic = t.topic, data = t.data }
    self:emit(t.topic, t.data)
  end
end

-- The messages logged at \p level (nil: all), for compact assertions.
function Plugin:log_lines(level)
  local out = {}
  for _, l in ipairs(self.logs) do
    if level == nil or l.level == level then out[#out + 1] = l.message end
  end
  return out
end

-- Forgets what was recorded (not the store, the timers or module state): for a new case in a spec.
-- The ledger's keys stay (like the store): a key used before still returns its first entry's id; so do
-- the grants the core holds (p.held).
function Plugin:clear()
  self.published, self.logs, self.errors, self.last_error = {}, {}, {}, nil
  self.awards, self.rewards, self.refusals, self.figure_queries = {}, {}, {}, {}
end

return stub
