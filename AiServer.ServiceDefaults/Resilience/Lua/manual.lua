-- An operator's action. ARGV[3] instance, ARGV[4] force-open | force-close | reset, ARGV[5] reason, ARGV[6] max probes.
-- Forced states hold until reset. The fleet's failure count starts over. Probe leases of the HALF_OPEN period the action ends are dropped.
local s = load()
local action = ARGV[4]
s.successes = 0
s.openUntil = 0
clear_failures(s)
if action == 'force-open' then
  s.state, s.forced, s.openedBy, s.reason = 'OPEN', 'OPEN', ARGV[3], ARGV[5]
elseif action == 'force-close' then
  s.state, s.forced, s.openedBy, s.reason = 'CLOSED', 'CLOSED', ARGV[3], ARGV[5]
else
  s.state, s.forced, s.openedBy, s.reason = 'CLOSED', 'NONE', '', ''
end
clear_probes(ARGV[6])
save(s)
publish(s)
return reply(s)
