-- The plugin sandbox of core/luahost.c, rebuilt in plain Lua for tests: the same safe globals, read-only
-- library tables, text-only load, a fresh global table for every run, the instruction budget (a count
-- hook; once killed every later instruction raises again, so pcall cannot swallow it) and errors
-- reported as {file, line, message} the way the host records them.
-- Not emulated: the memory cap, and the budget charged inside pattern matching (a backtracking
-- pattern hangs here instead of being stopped). string.rep's size limit is.
local json = require("vocd_stub.json")

local sandbox = {}

-- Frames of the helper itself are skipped when looking for the plugin's file and line.
local HELPER_DIR = debug.getinfo(1, "S").source:match("^@(.*)/vocd_stub/[^/]*$") or "?"

local RO_MAX_DEPTH = 32
local READONLY = "attempt to modify a read-only table"

-- view -> the copy it shows; weak keys so that views can be collected.
local targets = setmetatable({}, { __mode = "k" })

local function readonly(t, depth)
  depth = depth or 0
  local copy = {}
  for k, v in next, t do
    if type(v) == "table" and depth < RO_MAX_DEPTH and not targets[v] then v = readonly(v, depth + 1) end
    copy[k] = v
  end
  local view = setmetatable({}, {
    __index = copy,
    __newindex = function() sandbox.raise(READONLY) end,
    __len = function() return rawlen(copy) end,
    __pairs = function() return next, copy, nil end,
    __metatable = false,
  })
  targets[view] = copy
  return view
end
sandbox.readonly = readonly
json.unwrap = function(t) return targets[t] or t end

local function argerror(n, fname, msg)
  sandbox.raise(string.format("bad argument #%d to '%s' (%s)", n, fname, msg))
end

local function typename(v, present)
  if not present then return "no value" end
  return type(v)
end

--- Budget -----------------------------------------------------------------------------------------

local STEP = 1000 -- instructions between two checks, as HOOK_STEP in core/luahost.c

local function budget_hook(box)
  return function()
    local b = box.budget
    if not b.killed then
      b.left = b.left - STEP
      if b.left > 0 then return end
      b.killed, b.reason = true, "instruction budget exhausted"
    end
    -- From now on every instruction checks, in this thread and in the run's (coroutines made later
    -- inherit it): an enclosing pcall cannot run on.
    debug.sethook(box.hook_fn, "", 1)
    debug.sethook(box.thread, box.hook_fn, "", 1)
    -- Raise only in plugin code: the helper's own code (the vocd functions, the end of a run) is C
    -- in the host, where the hook does not fire.
    local src = debug.getinfo(2, "S").source
    if src:sub(2, #HELPER_DIR + 1) == HELPER_DIR then return end
    error("budget exhausted: " .. b.reason, 0)
  end
end

--- Safe globals --------------------------------------------------------------------------------------

local function bounded_rep(box)
  return function(s, n, sep)
    s, sep = tostring(s), sep and tostring(sep) or ""
    if math.type(n) ~= "integer" then n = math.tointeger(n) or argerror(2, "rep", "number has no integer representation") end
    if n <= 0 then return "" end
    local want = n * #s + (n - 1) * #sep
    if want > box.limits.max_string then
      sandbox.raise(string.format("string.rep: result too large (%d bytes, limit %d)", want, box.limits.max_string))
    end
    return string.rep(s, n, sep)
  end
end

local function build_base(box)
  local base = {}
  for _, name in ipairs({ "assert", "error", "ipairs", "next", "pairs", "pcall", "select", "tonumber",
                          "tostring", "type", "rawequal", "rawget", "rawlen", "_VERSION" }) do
    base[name] = _G[name]
  end

  -- The host locks the string metatable: getmetatable("") is false.
  base.getmetatable = function(v)
    if type(v) == "string" then return false end
    return getmetatable(v)
  end

  base.rawset = function(t, k, v)
    if type(t) ~= "table" then argerror(1, "rawset", "table expected, got " .. type(t)) end
    if targets[t] then sandbox.raise(READONLY) end
    return rawset(t, k, v)
  end

  base.setmetatable = function(t, mt, ...)
    if type(t) ~= "table" then argerror(1, "setmetatable", "table expected, got " .. type(t)) end
    if mt ~= nil and type(mt) ~= "table" then argerror(2, "setmetatable", "nil or table expected") end
    -- Finalizers would run plugin code outside any run's budget.
    if mt ~= nil and mt.__gc ~= nil then sandbox.raise("setmetatable: __gc is not allowed in plugins") end
    local old = debug.getmetatable(t)
    if old ~= nil and rawget(old, "__metatable") ~= nil then
      sandbox.raise("cannot change a protected metatable")
    end
    return setmetatable(t, mt)
  end

  base.load = function(code, name, mode, ...)
    if type(code) == "number" then code = tostring(code) end
    if type(code) ~= "string" then argerror(1, "load", "string expected, got " .. type(code)) end
    mode = mode or "t"
    if not mode:find("t", 1, true) then return nil, "load: only text chunks are allowed" end
    local env
    if select("#", ...) > 0 then
      env = ...
    else
      -- Never the real globals: a fresh table seeing the safe base functions.
      env = setmetatable({}, { __index = base })
    end
    return load(code, name or "=(load)", "t", env)
  end

  base.collectgarbage = function(opt)
    opt = opt or "collect"
    if opt == "count" then return collectgarbage("count") end
    if opt == "collect" or opt == "step" then
      collectgarbage("collect")
      return 0
    end
    sandbox.raise(string.format("collectgarbage: option '%s' is not allowed", tostring(opt)))
  end

  -- A killed run does not get to run its message handler (it could loop without hooks).
  base.xpcall = function(f, h, ...)
    return xpcall(f, function(e)
      if box.budget.killed then return e end
      return h(e)
    end, ...)
  end

  base.print = function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    box.on_print(table.concat(parts, "\t"))
  end

  -- Library tables: read-only copies. string loses dump (the method table used by ("").x too).
  local str = {}
  for k, v in pairs(string) do str[k] = v end
  str.dump = nil
  str.rep = bounded_rep(box)
  box.string_methods = str
  base.string = readonly(str)
  for _, lib in ipairs({ "table", "math", "utf8" }) do base[lib] = readonly(_G[lib]) end

  -- The debug library keeps a Lua hook per thread and new coroutines do not get it (in C they inherit
  -- the count hook): give each new coroutine the budget's hook.
  local co = {}
  for k, v in pairs(coroutine) do co[k] = v end
  co.create = function(f)
    local thread = coroutine.create(f)
    debug.sethook(thread, box.hook_fn, "", box.budget.killed and 1 or STEP)
    return thread
  end
  co.wrap = function(f)
    local thread = co.create(f)
    return function(...)
      local res = table.pack(coroutine.resume(thread, ...))
      if res[1] then return table.unpack(res, 2, res.n) end
      coroutine.close(thread)
      error(res[2], 2) -- like the real wrap: the error goes on, with the caller's position
    end
  end
  base.coroutine = readonly(co)
  base.os = readonly({ time = os.time, clock = os.clock, date = os.date, difftime = os.difftime })
  return base
end

--- Errors -----------------------------------------------------------------------------------------------

local guarded -- the function that runs plugin code: frames below it are the test's, not the plugin's

-- The plugin's file and line nearest to stack level \p level: the first frame of a file that is not
-- the helper's, before the run's boundary. "", 0 when there is none (after a tail call the caller's
-- frame is gone, and the host then knows no line either).
local function plugin_frame(level)
  while true do
    local info = debug.getinfo(level + 1, "Slf")
    if not info or info.func == guarded then return "", 0 end
    if info.currentline > 0 and info.source:sub(1, 1) == "@" and info.source:sub(2, #HELPER_DIR + 1) ~= HELPER_DIR then
      return info.source:sub(2), info.currentline
    end
    level = level + 1
  end
end

-- Raises \p msg at the plugin's line, as luaL_error in a C function of the host does.
function sandbox.raise(msg)
  local file, line = plugin_frame(2)
  if file ~= "" then msg = file .. ":" .. line .. ": " .. msg end
  error(msg, 0)
end

-- What failed and where, as record_error() in core/luahost.c: the message (a string, a table's
-- `message`, or a description), the plugin's frame, then a "src:N: " prefix of the message wins.
local function record(e, level)
  local msg
  if type(e) == "string" or type(e) == "number" then
    msg = tostring(e)
  elseif type(e) == "table" and type(rawget(e, "message")) == "string" then
    msg = rawget(e, "message")
  else
    msg = "(error object is a " .. type(e) .. " value)"
  end
  local file, line = plugin_frame(level + 1)
  local src, n, rest = msg:match("^([^\n]-):(%d+): (.*)$")
  if src then
    local short = src:gsub("^%.%.%.", "")
    if file:sub(-#short) ~= short then file = src end
    line, msg = tonumber(n), rest
  end
  return { file = file, line = line, message = msg }
end

--- Running --------------------------------------------------------------------------------------------

-- Runs fn(...) under a budget of \p steps with the plugin's string methods; returns true, results...
-- or false, {file, line, message, kind}.
guarded = function(box, steps, fn, ...)
  box.budget = { left = steps, killed = false }
  box.thread = coroutine.running()
  local smt = debug.getmetatable("")
  local saved = smt.__index
  smt.__index = box.string_methods
  local old_hook, old_mask, old_count = debug.gethook() -- a coverage tool's, say
  debug.sethook(box.hook_fn, "", STEP)
  local res = table.pack(xpcall(fn, function(e)
    local r = record(e, 2) -- not a tail call: record counts the frames up to the raiser
    return r
  end, ...))
  debug.sethook(old_hook, old_mask, old_count)
  smt.__index = saved
  if not res[1] then
    local err = res[2]
    err.kind = box.budget.killed and "budget" or "error"
    if box.budget.killed then err.message = box.budget.reason end
    return false, err
  end
  return table.unpack(res, 1, res.n)
end

-- Runs plugin.lua's text: its globals go into the module environment, kept for later runs.
function sandbox.load(box, text, chunkname)
  local chunk, err = load(text, "@" .. chunkname, "t", box.env)
  if not chunk then
    return false, record(err, 1) -- a syntax error: the position is in the message
  end
  box.chunk = chunk
  box.loading = true
  local res = table.pack(guarded(box, box.limits.load_instructions, chunk))
  box.loading = false
  return table.unpack(res, 1, res.n)
end

-- Calls fn (a function of the loaded chunk) with a fresh global table that sees the module's.
function sandbox.run(box, fn, ...)
  -- Every function of the chunk shares its _ENV upvalue: swapping it gives them all fresh globals.
  if box.chunk then debug.setupvalue(box.chunk, 1, setmetatable({}, box.run_mt)) end
  local res = table.pack(guarded(box, box.limits.instructions, fn, ...))
  if box.chunk then debug.setupvalue(box.chunk, 1, box.env) end
  return table.unpack(res, 1, res.n)
end

-- A new sandbox. limits: {instructions, load_instructions, max_string} (the host's defaults);
-- on_print(text) receives print's output.
function sandbox.new(limits, on_print)
  limits = limits or {}
  local box = {
    limits = {
      instructions = limits.instructions or 10000000,
      load_instructions = limits.load_instructions or 50000000,
      max_string = limits.max_string or (4 << 20),
    },
    on_print = on_print or function() end,
    loading = false,
    budget = { left = 0, killed = false },
    load = sandbox.load,
    run = sandbox.run,
  }
  box.hook_fn = budget_hook(box)
  box.base = build_base(box)
  box.env = setmetatable({}, { __index = box.base, __metatable = false })
  box.run_mt = { __index = box.env, __metatable = false }
  return box
end

sandbox.record = record
return sandbox
