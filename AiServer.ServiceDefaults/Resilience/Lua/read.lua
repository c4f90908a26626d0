-- Reads a breaker's state (no change).
return reply(load())
