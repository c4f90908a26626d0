-- A provider answered 429: start or extend the shared cool-down. ARGV[3] instance, ARGV[4] duration ms.
local ms = tonumber(ARGV[4])
if redis.call('PTTL', KEYS[4]) < ms then
  redis.call('SET', KEYS[4], ARGV[3], 'PX', ARGV[4])
  publish(load())
end
return reply(load())
