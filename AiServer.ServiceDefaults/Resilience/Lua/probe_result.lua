-- A probe finished. ARGV[3] instance, ARGV[4] slot, ARGV[5] 1 success / 0 failure, ARGV[6] reason,
-- ARGV[7] success threshold, ARGV[8] recovery ms, ARGV[9] max probes.
-- Counts only while the reporter still holds the lease of that slot: a result from an expired lease or from an
-- earlier HALF_OPEN period says nothing about the current one (and its slot may already be another instance's probe).
-- Releases the lease; closes after enough successes, re-opens on failure.
local s = load()
local slot = tonumber(ARGV[4])
if slot < 0 or redis.call('GET', probe_key(slot)) ~= ARGV[3] then
  return reply(s)
end
redis.call('DEL', probe_key(slot))

if s.forced ~= 'NONE' or s.state ~= 'HALF_OPEN' then
  return reply(s)
end

if ARGV[5] == '1' then
  s.successes = s.successes + 1
  if s.successes >= tonumber(ARGV[7]) then
    s.state = 'CLOSED'
    s.openUntil = 0
    s.openedBy = ''
    s.reason = ''
    s.successes = 0
    clear_failures(s)
    clear_probes(ARGV[9])
  end
else
  s.state = 'OPEN'
  s.openUntil = now + tonumber(ARGV[8])
  s.openedBy = ARGV[3]
  s.reason = ARGV[6]
  s.successes = 0
  clear_probes(ARGV[9])
end
save(s)
publish(s)
return reply(s)
