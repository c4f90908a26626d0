-- An instance reached the failure threshold on its own (its local breaker opened while cut off from Redis, and it
-- pushes that now). ARGV[3] instance, ARGV[4] reason, ARGV[5] recovery ms, ARGV[6] monitoring period ms,
-- ARGV[7] minimum reporters, ARGV[8] max probes.
-- Opens the fleet when enough distinct instances reported within the monitoring period (the quorum).
local s = load()
if s.forced ~= 'NONE' or s.state ~= 'CLOSED' then
  return reply(s)
end

if note_reporter(ARGV[3], tonumber(ARGV[6])) < tonumber(ARGV[7]) then
  return reply(s)
end

open(s, ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[8])
return reply(s)
