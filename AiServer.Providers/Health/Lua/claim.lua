-- A provider's shared health result, or the lease to probe it. KEYS[1] result hash {p}{health:NAME},
-- KEYS[2] lease {p}{health:NAME}:lease (one hash tag, one Redis Cluster slot).
-- ARGV[1] instance, ARGV[2] cache ms, ARGV[3] since ms (0: any age within the cache period; -1: only a result probed
-- from now on, for ?refresh=true), ARGV[4] lease ms.
-- Ages are measured on Redis's clock (TIME), so the instances' clocks never matter.
-- Returns { kind ('fresh' | 'leased' | 'busy'), now ms, lease holder, at, status, description, data, responseTimeMs, probedBy };
-- absent values are empty strings (a nil would end the Lua array).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local since = tonumber(ARGV[3])
if since < 0 then
  since = now
end

local r = redis.call('HMGET', KEYS[1], 'at', 'status', 'description', 'data', 'responseTimeMs', 'probedBy')
local function answer(kind, holder)
  return { kind, tostring(now), holder or '', r[1] or '', r[2] or '', r[3] or '', r[4] or '', r[5] or '', r[6] or '' }
end

local at = tonumber(r[1])
if at and at > now - tonumber(ARGV[2]) and at >= since then
  return answer('fresh')
end

-- Stale or missing: the first instance to ask probes; the lease ends when it publishes (or after ARGV[4] ms).
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[4]) then
  return answer('leased', ARGV[1])
end
return answer('busy', redis.call('GET', KEYS[2]) or '')
