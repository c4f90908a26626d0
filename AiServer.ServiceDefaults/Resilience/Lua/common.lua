-- Shared prelude of every breaker script (prepended when the scripts are loaded).
-- KEYS[1] state hash {p}{cb:NAME}   KEYS[2] reporters hash {p}{cb:NAME}:reporters (quorum)
-- KEYS[3] probe lease {p}{cb:NAME}:probe (slot i > 0: ..:probe:i)   KEYS[4] cool-down {p}{cb:NAME}:cooldown
-- Every key carries the hash tag {cb:NAME}, so on Redis Cluster all of them (and the probe slots built from KEYS[3])
-- live in one slot and one script may touch them all.
-- ARGV[1] channel {p}cb:events   ARGV[2] breaker name   ARGV[3..] per script
-- Times come from Redis's own clock (TIME), never from the instances.
local hkey = KEYS[1]

local function fmt(n)
  return string.format('%.0f', n)
end

local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local now, now_us = clock()

local function load()
  local v = redis.call('HMGET', hkey, 'state', 'version', 'openUntil', 'forced', 'openedBy', 'reason', 'halfOpenSuccesses',
    'failures', 'lastFailure')
  return {
    exists = v[2] ~= false,
    state = v[1] or 'CLOSED',
    version = tonumber(v[2] or '0'),
    openUntil = tonumber(v[3] or '0'),
    forced = v[4] or 'NONE',
    openedBy = v[5] or '',
    reason = v[6] or '',
    successes = tonumber(v[7] or '0'),
    failures = tonumber(v[8] or '0'),
    lastFailure = tonumber(v[9] or '0'),
  }
end

-- Versions never go down: at least the previous one plus one, and at least Redis's clock in microseconds, so a Redis
-- that lost its data still hands out versions newer than anything an instance has seen.
local function save(s)
  s.version = math.max(s.version + 1, now_us)
  s.exists = true
  redis.call('HSET', hkey, 'state', s.state, 'version', fmt(s.version), 'openUntil', fmt(s.openUntil),
    'forced', s.forced, 'openedBy', s.openedBy, 'reason', s.reason, 'halfOpenSuccesses', fmt(s.successes),
    'failures', fmt(s.failures), 'lastFailure', fmt(s.lastFailure))
end

local function cooldown_ms()
  local p = redis.call('PTTL', KEYS[4])
  if p < 0 then return 0 end
  return p
end

local function remaining(s)
  if s.state == 'OPEN' and s.forced == 'NONE' then return s.openUntil - now end
  return 0
end

-- The fleet record: one JSON shape for script replies and channel messages. Numbers go as strings: cjson would
-- round a microsecond version to 14 significant digits.
local function record(s)
  return cjson.encode({
    name = ARGV[2], exists = s.exists, state = s.state, version = fmt(s.version),
    openRemainingMs = fmt(remaining(s)), forced = s.forced, openedBy = s.openedBy, reason = s.reason,
    halfOpenSuccesses = fmt(s.successes), cooldownRemainingMs = fmt(cooldown_ms()), failures = fmt(s.failures),
  })
end

local function reply(s)
  return record(s)
end

local function publish(s)
  redis.call('PUBLISH', ARGV[1], record(s))
end

local function probe_key(slot)
  if slot == 0 then return KEYS[3] end
  return KEYS[3] .. ':' .. slot
end

-- A lease belongs to one HALF_OPEN period: when the circuit leaves it (or an operator acts) every slot goes, so the
-- next HALF_OPEN never waits for a lease of an earlier one to expire.
local function clear_probes(max)
  for slot = 0, tonumber(max) - 1 do
    redis.call('DEL', probe_key(slot))
  end
end

-- The fleet's consecutive-failure count starts over (a success, a window that lapsed, or any decision that leaves or
-- re-enters CLOSED); the quorum's reporters belong to the count, so they go with it.
local function clear_failures(s)
  s.failures = 0
  s.lastFailure = 0
  redis.call('DEL', KEYS[2])
end

-- Notes a reporter for the quorum and returns how many distinct instances reported within the monitoring period.
local function note_reporter(instance, period)
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
  return fresh
end

-- CLOSED -> OPEN for one recovery timeout, as trip.lua and failure.lua decide it; saves and publishes.
local function open(s, instance, reason, recovery_ms, max_probes)
  s.state = 'OPEN'
  s.openUntil = now + recovery_ms
  s.openedBy = instance
  s.reason = reason
  s.successes = 0
  clear_failures(s)
  clear_probes(max_probes)
  save(s)
  publish(s)
end
