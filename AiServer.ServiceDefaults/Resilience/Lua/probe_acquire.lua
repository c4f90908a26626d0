-- Asks for a HALF_OPEN probe lease. ARGV[3] instance, ARGV[4] lease ms, ARGV[5] max probes (fleet-wide).
-- Moves a due OPEN circuit to HALF_OPEN, then takes the first free slot with SET NX PX.
-- Returns { slot or -1, record }.
local s = load()
local function answer(slot)
  return { slot, reply(s) }
end

if s.forced ~= 'NONE' or s.state == 'CLOSED' then
  return answer(-1)
end

if s.state == 'OPEN' then
  if now < s.openUntil then
    return answer(-1)
  end
  s.state = 'HALF_OPEN'
  s.successes = 0
  save(s)
  publish(s)
end

for slot = 0, tonumber(ARGV[5]) - 1 do
  if redis.call('SET', probe_key(slot), ARGV[3], 'NX', 'PX', ARGV[4]) then
    return answer(slot)
  end
end
return answer(-1)
