-- Hands back a lease without a result (the probe said nothing about the provider). KEYS[2] lease, ARGV[1] instance.
if redis.call('GET', KEYS[2]) == ARGV[1] then
  return redis.call('DEL', KEYS[2])
end
return 0
