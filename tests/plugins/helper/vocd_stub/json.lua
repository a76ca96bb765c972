-- vocd.json for the stub: the host's rules (core/plugin_api.c), so that what a spec sees is what the
-- core would store, publish or answer.
--   encode: a table with keys 1..n is an array, any other table an object with sorted keys; an empty
--           table is {}; json.null is null; numbers print like cJSON; raises on functions, cycles, NaN.
--   decode: lua-cjson parses (it is exact and fast); integral numbers become integers afterwards, as the
--           host does, and null is cjson.null, the same light userdata NULL the host uses.
local ok, cjson = pcall(require, "cjson")
if not ok then
  error("vocd_stub needs lua-cjson for Lua 5.4 (Debian package lua-cjson): " .. tostring(cjson), 0)
end

local json = { null = cjson.null }

local MAX_DEPTH = 64 -- as JSON_MAX_DEPTH in core/plugin_api.c
local INT_MAX, INT_MIN = 2147483647, -2147483648

-- Read-only views (see sandbox.lua) hide their content behind a metatable: encode their target.
-- The sandbox sets this to its lookup function.
json.unwrap = function(t) return t end

local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n",
                  ["\r"] = "\\r", ["\t"] = "\\t" }

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or (c:byte() < 32 and string.format("\\u%04x", c:byte())) or c
  end) .. '"'
end

-- cJSON prints integral values that fit an int with %d, others with 15 digits unless that loses
-- precision, then 17.
local function number(v)
  if v ~= v or v == math.huge or v == -math.huge then
    error("cannot encode " .. tostring(v), 0)
  end
  local d = v + 0.0
  if d == math.floor(d) and d >= INT_MIN and d <= INT_MAX then
    return string.format("%d", math.tointeger(d))
  end
  local s = string.format("%1.15g", d)
  if tonumber(s) ~= d then s = string.format("%1.17g", d) end
  return s
end

local encode_value

local function encode_table(t, depth, out)
  t = json.unwrap(t)
  local n, count, is_array = rawlen(t), 0, rawlen(t) > 0
  for k in next, t do
    count = count + 1
    if math.type(k) ~= "integer" or k < 1 or k > n then is_array = false end
  end
  if count ~= n then is_array = false end
  if is_array then
    out[#out + 1] = "["
    for i = 1, n do
      if i > 1 then out[#out + 1] = "," end
      encode_value(rawget(t, i), depth + 1, out)
    end
    out[#out + 1] = "]"
    return
  end
  local keys, orig = {}, {}
  for k in next, t do
    if type(k) ~= "string" and math.type(k) ~= "integer" then
      error("cannot encode a table key of type " .. type(k), 0)
    end
    local s = tostring(k)
    keys[#keys + 1] = s
    orig[s] = k
  end
  table.sort(keys)
  out[#out + 1] = "{"
  for i, s in ipairs(keys) do
    if i > 1 then out[#out + 1] = "," end
    out[#out + 1] = quote(s) .. ":"
    encode_value(rawget(t, orig[s]), depth + 1, out)
  end
  out[#out + 1] = "}"
end

encode_value = function(v, depth, out)
  if depth > MAX_DEPTH then
    error("cannot encode: nested deeper than " .. MAX_DEPTH .. " levels (or a cycle)", 0)
  end
  local t = type(v)
  if v == nil or v == json.null then
    out[#out + 1] = "null"
  elseif t == "boolean" then
    out[#out + 1] = tostring(v)
  elseif t == "number" then
    out[#out + 1] = number(v)
  elseif t == "string" then
    out[#out + 1] = quote(v)
  elseif t == "table" then
    encode_table(v, depth, out)
  else
    error("cannot encode a " .. t .. " value", 0)
  end
end

function json.encode(v)
  local out = {}
  encode_value(v, 0, out)
  return table.concat(out)
end

-- The host turns integral numbers (up to 2^53) into Lua integers.
local function integers(v)
  if type(v) == "number" then
    if v == math.floor(v) and math.abs(v) <= 9007199254740992 then return math.tointeger(v) end
    return v
  end
  if type(v) == "table" then
    for k, x in pairs(v) do v[k] = integers(x) end
  end
  return v
end

-- The host refuses a number too large for a double (1e999): no JSON text stands for infinity.
local function infinite(v)
  if type(v) == "number" then return v == math.huge or v == -math.huge end
  if type(v) == "table" then
    for _, x in pairs(v) do
      if infinite(x) then return true end
    end
  end
  return false
end

function json.decode(s)
  if type(s) == "number" then s = tostring(s) end
  if type(s) ~= "string" then
    error("bad argument #1 to 'decode' (string expected, got " .. (s == nil and "no value" or type(s)) .. ")", 0)
  end
  local ok, v = pcall(cjson.decode, s)
  if not ok then return nil, "invalid JSON" end
  if infinite(v) then return nil, "invalid JSON: a number too large for a double" end
  return integers(v)
end

-- A copy of \p v as the host would pass it on: through JSON and back (raises like encode).
function json.copy(v)
  if v == nil then return nil end
  return (json.decode(json.encode(v)))
end

return json
