-- An instance reached the failure threshold. ARGV[3] instance, ARGV[4] reason, ARGV[5] recovery ms,
-- ARGV[6] monitoring period ms, ARGV[7] minimum reporters, ARGV[8] max probes.
-- Opens the fleet when enough distinct instances reported within the monitoring period (the quorum).
local s = load()
if s.forced ~= 'NONE' or s.state ~= 'CLOSED' then
  return reply(s)
end

local instance, period, quorum = ARGV[3], tonumber(ARGV[6]), tonumber(ARGV[7])
redis.call('HSET', KEYS[2], instance, fmt(now))
local fresh = 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  if now - tonumber(all[i + 1]) <= period then
    fresh = fresh + 1
  else
    redis.call('HDEL', KEYS[2], all[i])
  end
end
redis.call('PEXPIRE', KEYS[2], period)
if fresh < quorum then
  return reply(s)
end

s.state = 'OPEN'
s.openUntil = now + tonumber(ARGV[5])
s.openedBy = instance
s.reason = ARGV[4]
s.successes = 0
save(s)
redis.call('DEL', KEYS[2])
clear_probes(ARGV[8])
publish(s)
return reply(s)
