-- Settings schemas for the stub: the checks of core/plugin_schema.c, ported to Lua with the same messages,
-- so that a spec can assert "settings.threshold: expected number, got string" and trust that vocd says
-- the same. The C code works on cJSON trees; this file converts Lua tables to a small tree of the same
-- shape ({t = "object"|"array"|"string"|"number"|"boolean"|"null", ...}) and keeps the C structure, so
-- the two are easy to compare line by line.
local json = require("vocd_stub.json")

local schema = {}

--- Trees ---------------------------------------------------------------------------------------------

-- Lua value -> tree, with the rules the host uses: a table with keys 1..n is an array, others objects
-- (keys sorted, as vocd_lua_to_json does); an empty table is an object.
local function tree(v, path, depth)
  depth = depth or 0
  local ty = type(v)
  if v == nil or v == json.null then return { t = "null" } end
  if ty == "string" or ty == "number" or ty == "boolean" then return { t = ty, v = v } end
  if ty ~= "table" then error(path .. ": cannot encode a " .. ty .. " value", 0) end
  if depth > 64 then error(path .. ": nested too deeply (or a cycle)", 0) end
  v = json.unwrap(v)
  local n, count = rawlen(v), 0
  for _ in next, v do count = count + 1 end
  if n > 0 and count == n then
    local node = { t = "array", items = {} }
    for i = 1, n do node.items[i] = tree(v[i], path .. "[" .. i .. "]", depth + 1) end
    return node
  end
  local node = { t = "object", keys = {}, map = {} }
  for k in next, v do
    if type(k) ~= "string" then
      error(path .. ": mixes a list with named entries (keys must all be names, or the table a plain list)", 0)
    end
    node.keys[#node.keys + 1] = k
  end
  table.sort(node.keys)
  for _, k in ipairs(node.keys) do node.map[k] = tree(v[k], path .. "." .. k, depth + 1) end
  return node
end
schema.tree = tree

-- Tree -> Lua value, as vocd_lua_push_json does: integral numbers become integers, null json.null.
local function value(node)
  if node.t == "null" then return json.null end
  if node.t == "number" then
    local d = node.v
    if d == math.floor(d) and math.abs(d) <= 9007199254740992 then return math.tointeger(d) end
    return d
  end
  if node.t == "array" then
    local out = {}
    for i, e in ipairs(node.items) do out[i] = value(e) end
    return out
  end
  if node.t == "object" then
    local out = {}
    for _, k in ipairs(node.keys) do out[k] = value(node.map[k]) end
    return out
  end
  return node.v
end
schema.value = value

local function get(node, name)
  if node and node.t == "object" then return node.map[name] end
  return nil
end

local function set(node, name, v)
  if node.map[name] == nil then node.keys[#node.keys + 1] = name end
  node.map[name] = v
end

-- The children of an object or array, in order: { {name, node}, ... } (arrays: name nil).
local function children(node)
  local out = {}
  if node and node.t == "object" then
    for _, k in ipairs(node.keys) do out[#out + 1] = { k, node.map[k] } end
  elseif node and node.t == "array" then
    for _, e in ipairs(node.items) do out[#out + 1] = { nil, e } end
  end
  return out
end

local function copy(node)
  if node.t == "object" then
    local c = { t = "object", keys = {}, map = {} }
    for _, k in ipairs(node.keys) do set(c, k, copy(node.map[k])) end
    return c
  elseif node.t == "array" then
    local c = { t = "array", items = {} }
    for i, e in ipairs(node.items) do c.items[i] = copy(e) end
    return c
  end
  return { t = node.t, v = node.v }
end

-- An empty object is accepted where an array is expected (and the other way round).
local function as_array(node)
  if node and node.t == "object" and #node.keys == 0 then
    node.t, node.keys, node.map, node.items = "array", nil, nil, {}
  end
  return node
end

local function as_object(node)
  if node and node.t == "array" and #node.items == 0 then
    node.t, node.items, node.keys, node.map = "object", nil, {}, {}
  end
  return node
end

--- Messages ----------------------------------------------------------------------------------------------

local function lua_type_of(node)
  if node == nil or node.t == "null" then return "nil" end
  if node.t == "object" or node.t == "array" then return "table" end
  return node.t
end

local function type_of(spec)
  local t = get(spec, "type")
  return (t and t.t == "string") and t.v or ""
end

local function g(n) return string.format("%g", n) end
local function g17(n) return string.format("%.17g", n) end

local function show(node)
  if node.t == "string" then
    return '"' .. node.v:sub(1, 60) .. (#node.v > 60 and "..." or "") .. '"'
  elseif node.t == "number" then
    return g17(node.v)
  elseif node.t == "boolean" then
    return tostring(node.v)
  end
  return "a " .. lua_type_of(node)
end

local function describe(spec)
  local t = type_of(spec)
  if t == "enum" then
    local parts = {}
    for _, c in ipairs(children(get(spec, "values"))) do parts[#parts + 1] = show(c[2]) end
    return "one of " .. table.concat(parts, ", ")
  end
  local items = get(spec, "items")
  if t == "array" and items and items.t == "object" then return "array of " .. describe(items) end
  return t
end

local function names_list(node)
  local parts = {}
  for _, c in ipairs(children(node)) do
    parts[#parts + 1] = c[2].t == "string" and c[2].v or (c[1] or "?")
  end
  return table.concat(parts, ", ")
end

local function new_ctx(prefix)
  return { problems = {}, prefix = prefix or "" }
end

local function problem(c, fmt, ...)
  c.problems[#c.problems + 1] = c.prefix .. string.format(fmt, ...)
end

--- Validation (vocd_schema_validate) -----------------------------------------------------------------------

local check_record

local function num_limit(spec, name)
  local v = get(spec, name)
  if v and v.t == "number" then return v.v end
  return nil
end

local function check_size(c, spec, n, unit, path)
  local lo, hi = num_limit(spec, "min"), num_limit(spec, "max")
  if lo and n < lo then problem(c, "%s: expected at least %s %s, got %s", path, g(lo), unit, g(n)) end
  if hi and n > hi then problem(c, "%s: expected at most %s %s, got %s", path, g(hi), unit, g(n)) end
end

local function check_value(c, spec, v, path)
  local t = type_of(spec)
  local function wrong_type()
    problem(c, "%s: expected %s, got %s", path, describe(spec), lua_type_of(v))
  end
  if t == "string" then
    if v.t ~= "string" then return wrong_type() end
    check_size(c, spec, #v.v, "characters", path)
  elseif t == "number" or t == "integer" then
    if v.t ~= "number" then return wrong_type() end
    if t == "integer" and v.v ~= math.floor(v.v) then
      return problem(c, "%s: expected integer, got %s", path, g17(v.v))
    end
    local lo, hi = num_limit(spec, "min"), num_limit(spec, "max")
    if lo and v.v < lo then problem(c, "%s: expected at least %s, got %s", path, g(lo), g17(v.v)) end
    if hi and v.v > hi then problem(c, "%s: expected at most %s, got %s", path, g(hi), g17(v.v)) end
  elseif t == "boolean" then
    if v.t ~= "boolean" then return wrong_type() end
  elseif t == "enum" then
    for _, o in ipairs(children(get(spec, "values"))) do
      if o[2].t == v.t and o[2].v == v.v and v.v ~= nil then return end
    end
    problem(c, "%s: expected %s, got %s", path, describe(spec), show(v))
  elseif t == "array" then
    if as_array(v).t ~= "array" then return wrong_type() end
    local items = get(spec, "items")
    for i, e in ipairs(v.items) do
      if items and items.t == "object" then check_value(c, items, e, path .. "[" .. i .. "]") end
    end
    check_size(c, spec, #v.items, "items", path)
  elseif t == "table" then
    if as_object(v).t ~= "object" then return wrong_type() end
    local fields, items = get(spec, "fields"), get(spec, "items")
    if fields and fields.t == "object" then
      check_record(c, spec, v, path)
    elseif items and items.t == "object" then
      for _, k in ipairs(v.keys) do check_value(c, items, v.map[k], path .. "." .. k) end
    end
  end
end

local function present(obj, name)
  local v = get(obj, name)
  return v ~= nil and v.t ~= "null"
end

local function run_checks(c, checks, obj, path)
  for _, chk in ipairs(children(checks)) do
    local rule_name = chk[2].t == "object" and chk[2].keys[1]
    local rule = rule_name and chk[2].map[rule_name]
    if rule then
      local list, names = names_list(rule), {}
      for _, e in ipairs(children(rule)) do names[#names + 1] = e[2].v end
      local n = 0
      for _, name in ipairs(names) do n = n + (present(obj, name) and 1 or 0) end
      if rule_name == "at_least_one_of" and n == 0 then
        problem(c, "%s: expected at least one of %s", path, list)
      elseif rule_name == "only_one_of" and n > 1 then
        problem(c, "%s: expected only one of %s, got %d of them", path, list, n)
      elseif rule_name == "requires" and names[1] and present(obj, names[1]) then
        for i = 2, #names do
          if not present(obj, names[i]) then
            problem(c, "%s.%s: required when %s is set", path, names[i], names[1])
          end
        end
      elseif rule_name == "less_than" and #names == 2 then
        local a, b = get(obj, names[1]), get(obj, names[2])
        if a and b and a.t == "number" and b.t == "number" and not (a.v < b.v) then
          problem(c, "%s.%s: expected less than %s.%s (%s), got %s", path, names[1], path, names[2],
                  g17(b.v), g17(a.v))
        end
      end
    end
  end
end

check_record = function(c, spec, obj, path)
  local fields = get(spec, "fields")
  for _, k in ipairs(obj.keys) do
    if get(fields, k) == nil then
      local known = names_list(fields)
      problem(c, "%s.%s: unknown setting (expected one of: %s)", path, k, known ~= "" and known or "none")
    end
  end
  for _, f in ipairs(children(fields)) do
    local name, fspec = f[1], f[2]
    local sub = path .. "." .. name
    local v = get(obj, name)
    if v == nil or v.t == "null" then
      local def = get(fspec, "default")
      if def then
        local d = copy(def)
        set(obj, name, d)
        check_value(c, fspec, d, sub) -- normalises {} to [] for arrays
      else
        local req = get(fspec, "required")
        if req and req.t == "boolean" and req.v then
          local d = get(fspec, "description")
          local desc = (d and d.t == "string") and (": " .. d.v) or ""
          problem(c, "%s: required setting missing (expected %s%s)", sub, describe(fspec), desc)
        end
      end
    else
      check_value(c, fspec, v, sub)
    end
  end
  run_checks(c, get(spec, "checks"), obj, path)
end

-- Validates Lua \p settings against the schema tree \p spec. Returns the settings with defaults filled
-- in (a plain Lua table, as the plugin sees them), or nil and the list of problems.
function schema.validate(spec, settings)
  local c = new_ctx()
  local ok, obj = pcall(tree, settings, "settings")
  if not ok then return nil, { obj } end
  as_object(obj)
  if obj.t == "null" and settings == nil then obj = { t = "object", keys = {}, map = {} } end
  if obj.t ~= "object" then
    problem(c, "settings: expected table, got %s", lua_type_of(obj))
  else
    check_record(c, spec, obj, "settings")
  end
  if #c.problems > 0 then return nil, c.problems end
  return value(obj)
end

--- Schema shape (vocd_schema_check) ------------------------------------------------------------------------

local TYPES = { string = true, number = true, integer = true, boolean = true, enum = true, array = true,
                table = true }
local SPEC_KEYS = { type = true, required = true, default = true, description = true, min = true, max = true,
                    values = true, items = true, fields = true, checks = true }
local RULES = { at_least_one_of = true, only_one_of = true, requires = true, less_than = true }

local check_fields

local function check_checks(c, checks, fields, path)
  if as_array(checks).t ~= "array" then
    return problem(c, "%s: expected a list of checks, got %s", path, lua_type_of(checks))
  end
  for i, chk in ipairs(checks.items) do
    local sub = path .. "[" .. i .. "]"
    local rname = chk.t == "object" and #chk.keys == 1 and chk.keys[1]
    if not rname or not RULES[rname] then
      problem(c, "%s: expected one of {at_least_one_of = {...}}, {only_one_of = {...}}, "
                 .. "{requires = {...}}, {less_than = {a, b}}", sub)
    else
      local rule = chk.map[rname]
      local n = rule.t == "array" and #rule.items or 0
      local want = rname == "less_than" and 2 or 0
      if n < 2 or (want > 0 and n ~= want) then
        problem(c, "%s.%s: expected a list of %s field names", sub, rname, want > 0 and "two" or "two or more")
      else
        for _, name in ipairs(rule.items) do
          if name.t ~= "string" or get(fields, name.v) == nil then
            problem(c, "%s.%s: %s is not a field of the schema", sub, rname,
                    name.t == "string" and name.v or "a non-string")
          end
        end
      end
    end
  end
end

local function check_spec(c, spec, path)
  if spec.t ~= "object" then
    return problem(c, "%s: expected a table describing the field, got %s", path, lua_type_of(spec))
  end
  for _, k in ipairs(spec.keys) do
    if not SPEC_KEYS[k] then
      problem(c, "%s.%s: unknown key (expected one of: type, required, default, description, min, max, "
                 .. "values, items, fields, checks)", path, k)
    end
  end
  local ty = get(spec, "type")
  if not ty or ty.t ~= "string" or not TYPES[ty.v] then
    return problem(c, '%s.type: expected one of "string", "number", "integer", "boolean", "enum", "array", '
                      .. '"table"', path)
  end
  local t = ty.v
  local v = get(spec, "required")
  if v and v.t ~= "boolean" then problem(c, "%s.required: expected boolean, got %s", path, lua_type_of(v)) end
  v = get(spec, "description")
  if v and v.t ~= "string" then problem(c, "%s.description: expected string, got %s", path, lua_type_of(v)) end
  local sized = t == "string" or t == "number" or t == "integer" or t == "array"
  for _, name in ipairs({ "min", "max" }) do
    v = get(spec, name)
    if v and (v.t ~= "number" or not sized) then
      problem(c, "%s.%s: expected a number, for types string, number, integer and array", path, name)
    end
  end
  local lo, hi = num_limit(spec, "min"), num_limit(spec, "max")
  if lo and hi and lo > hi then problem(c, "%s: min (%s) is greater than max (%s)", path, g(lo), g(hi)) end
  v = get(spec, "values")
  if t == "enum" then
    local ok = v ~= nil and as_array(v).t == "array" and #v.items > 0
    for _, e in ipairs(ok and v.items or {}) do ok = ok and (e.t == "string" or e.t == "number") end
    if not ok then problem(c, "%s.values: expected a non-empty list of strings or numbers", path) end
  elseif v then
    problem(c, '%s.values: only for type "enum"', path)
  end
  v = get(spec, "items")
  if v then
    if t ~= "array" and t ~= "table" then
      problem(c, '%s.items: only for types "array" and "table"', path)
    else
      check_spec(c, v, path .. ".items")
    end
  end
  v = get(spec, "fields")
  if v then
    if t ~= "table" then problem(c, '%s.fields: only for type "table"', path)
    else check_fields(c, v, path .. ".fields") end
  end
  v = get(spec, "checks")
  if v then
    local fields = get(spec, "fields")
    if t ~= "table" or not fields or fields.t ~= "object" then
      problem(c, '%s.checks: only for type "table" with fields', path)
    else
      check_checks(c, v, fields, path .. ".checks")
    end
  end
  v = get(spec, "default")
  if v and #c.problems == 0 then
    check_value(c, spec, copy(v), path .. ".default") -- the default must itself be valid
  end
end

check_fields = function(c, fields, path)
  if fields.t ~= "object" then
    return problem(c, "%s: expected a table of fields, got %s", path, lua_type_of(fields))
  end
  for _, k in ipairs(fields.keys) do check_spec(c, fields.map[k], path .. "." .. k) end
end

-- Checks the table schema.lua returned (a Lua value). Returns its tree, or nil and the problems, each
-- prefixed with "<where>: " like the host's.
function schema.check(value_, where)
  local c = new_ctx(where .. ": ")
  local ok, spec = pcall(tree, value_, "schema")
  if not ok then return nil, { where .. ": " .. spec } end
  if spec.t ~= "object" then
    problem(c, "expected the schema to return a table {fields = {...}}, got %s", lua_type_of(spec))
    return nil, c.problems
  end
  for _, k in ipairs(spec.keys) do
    if k ~= "fields" and k ~= "checks" and k ~= "description" then
      problem(c, "%s: unknown key (expected fields, checks, description)", k)
    end
  end
  local fields = get(spec, "fields")
  if not fields then
    problem(c, "fields: missing (expected a table of fields, may be empty)")
  else
    check_fields(c, fields, "fields")
  end
  local checks = get(spec, "checks")
  if checks and fields and fields.t == "object" then check_checks(c, checks, fields, "checks") end
  if #c.problems > 0 then return nil, c.problems end
  return spec
end

return schema
