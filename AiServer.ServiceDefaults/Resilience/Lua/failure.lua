-- A handled failure in CLOSED, counted fleet-wide. ARGV[3] instance, ARGV[4] reason (used when this opens),
-- ARGV[5] failure threshold, ARGV[6] recovery ms, ARGV[7] monitoring period ms, ARGV[8] minimum reporters,
-- ARGV[9] max probes, ARGV[10] 1 when the instance reached the threshold with its own consecutive failures.
-- The count restarts at 1 when the fleet's previous failure is older than the monitoring period, else goes up by one.
-- At the threshold (or when the reporter reached it alone: its own count is a lower bound of the fleet's, and its
-- earlier reports may still be on their way) the fleet opens, if the failures came from enough distinct instances
-- within the monitoring period (the quorum). Every count is saved (new version) and published.
local s = load()
if s.forced ~= 'NONE' or s.state ~= 'CLOSED' then
  return reply(s)
end

local instance, period = ARGV[3], tonumber(ARGV[7])
if s.failures > 0 and now - s.lastFailure > period then
  clear_failures(s)
end
s.failures = s.failures + 1
s.lastFailure = now
local reporters = note_reporter(instance, period)
if (s.failures >= tonumber(ARGV[5]) or ARGV[10] == '1') and reporters >= tonumber(ARGV[8]) then
  open(s, instance, ARGV[4], tonumber(ARGV[6]), ARGV[9])
  return reply(s)
end

save(s)
publish(s)
return reply(s)
