-- Stores a probe result and ends the prober's lease. KEYS[1] result hash, KEYS[2] lease.
-- ARGV[1] instance, ARGV[2] status, ARGV[3] description, ARGV[4] data (JSON object), ARGV[5] probe duration ms
-- (responseTimeMs), ARGV[6] retention ms.
-- The result's time 'at' is the probe's start on Redis's clock (now minus its duration); an older result never
-- replaces a newer one (a prober whose lease ran out while a second one probed).
-- Returns 'at', or -1 when a newer result was already there.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local at = now - math.floor(tonumber(ARGV[5]))
local current = tonumber(redis.call('HGET', KEYS[1], 'at'))
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
if current and current > at then
  return -1
end
redis.call('HSET', KEYS[1], 'at', at, 'status', ARGV[2], 'description', ARGV[3], 'data', ARGV[4], 'responseTimeMs', ARGV[5], 'probedBy', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return at
