-- Hands back an unused probe lease if it is still ours. ARGV[3] instance, ARGV[4] slot.
local key = probe_key(tonumber(ARGV[4]))
if redis.call('GET', key) == ARGV[3] then
  return redis.call('DEL', key)
end
return 0
