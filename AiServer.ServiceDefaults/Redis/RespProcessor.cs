namespace AiServer.ServiceDefaults.Redis;

/// <summary>Turns one complete (non-error) reply into the command's result. Implementations are static and cached.</summary>
internal delegate T RespProcessor<T>(ref RespReader reader);
