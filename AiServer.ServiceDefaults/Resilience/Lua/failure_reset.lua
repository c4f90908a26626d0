-- A success in CLOSED: the fleet's consecutive-failure count starts over. No-op (no new version, no message) when
-- there is nothing to reset, so a late or repeated reset costs one read.
local s = load()
if s.failures == 0 or s.forced ~= 'NONE' or s.state ~= 'CLOSED' then
  return reply(s)
end

clear_failures(s)
save(s)
publish(s)
return reply(s)
