-- HMAC-SHA256 in plain Lua 5.4 (64-bit integers, bit operators), so that vocd.hmac_sha256 in the stub
-- gives the real lowercase hex digest and plugins that sign webhooks can be tested against known values.
-- Written from FIPS 180-4 and RFC 2104; speed does not matter here.
local M32 = 0xffffffff

-- The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4 4.2.2).
local K = {}
do
  local n, p = 0, 2
  while n < 64 do
    local prime = true
    for d = 2, math.floor(math.sqrt(p)) do
      if p % d == 0 then prime = false break end
    end
    if prime then
      n = n + 1
      local r = p ^ (1 / 3)
      -- Refine the root: the fraction needs 32 exact bits, beyond what the first guess promises.
      r = r - (r * r * r - p) / (3 * r * r)
      K[n] = math.floor((r - math.floor(r)) * 2 ^ 32) & M32
    end
    p = p + 1
  end
end

local H0 = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }

local function rotr(x, n)
  return ((x >> n) | (x << (32 - n))) & M32
end

local function digest(msg)
  local len = #msg
  msg = msg .. "\128" .. string.rep("\0", (55 - len) % 64) .. string.pack(">I8", len * 8)
  local h = table.move(H0, 1, 8, 1, {})
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 1, 16 do
      w[i] = string.unpack(">I4", msg, chunk + (i - 1) * 4)
    end
    for i = 17, 64 do
      local a, b = w[i - 15], w[i - 2]
      local s0 = rotr(a, 7) ~ rotr(a, 18) ~ (a >> 3)
      local s1 = rotr(b, 17) ~ rotr(b, 19) ~ (b >> 10)
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & M32
    end
    local a, b, c, d, e, f, g, hh = table.unpack(h)
    for i = 1, 64 do
      local S1 = rotr(e, 6) ~ rotr(e, 11) ~ rotr(e, 25)
      local ch = (e & f) ~ (~e & g)
      local t1 = (hh + S1 + ch + K[i] + w[i]) & M32
      local S0 = rotr(a, 2) ~ rotr(a, 13) ~ rotr(a, 22)
      local maj = (a & b) ~ (a & c) ~ (b & c)
      local t2 = (S0 + maj) & M32
      hh, g, f, e, d, c, b, a = g, f, e, (d + t1) & M32, c, b, a, (t1 + t2) & M32
    end
    for i, v in ipairs({ a, b, c, d, e, f, g, hh }) do
      h[i] = (h[i] + v) & M32
    end
  end
  return string.pack(">I4I4I4I4I4I4I4I4", table.unpack(h))
end

local function hmac(key, msg)
  if #key > 64 then key = digest(key) end
  key = key .. string.rep("\0", 64 - #key)
  local ipad = key:gsub(".", function(c) return string.char(c:byte() ~ 0x36) end)
  local opad = key:gsub(".", function(c) return string.char(c:byte() ~ 0x5c) end)
  local mac = digest(opad .. digest(ipad .. msg))
  return (mac:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

return { digest = digest, hmac = hmac }
