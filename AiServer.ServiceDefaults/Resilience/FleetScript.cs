using StackExchange.Redis;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// One breaker transition script: the shared prelude (<c>common.lua</c>) followed by its body, prepared once.
/// StackExchange.Redis loads it on each server once (<c>SCRIPT LOAD</c>) and then sends only its SHA1 (<c>EVALSHA</c>);
/// when a server answers NOSCRIPT (restarted, failed over, or <c>SCRIPT FLUSH</c>ed) the client forgets its cache and
/// the call is sent once more, which loads the script again.
/// </summary>
internal sealed class FleetScript
{
    private readonly LuaScript _script;

    private FleetScript(LuaScript script) => _script = script;

    public static FleetScript Load(string file) => new(LuaScript.Prepare(ReadResource("common.lua") + "\n" + ReadResource(file)));

    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        try
        {
            return await database.ScriptEvaluateAsync(_script.ExecutableScript, keys, args).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(_script.ExecutableScript, keys, args).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string ReadResource(string file)
    {
        var assembly = typeof(FleetScript).Assembly;
        var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith(".Resilience.Lua." + file, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The Lua script Resilience/Lua/{file} is not embedded in {assembly.GetName().Name}.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
