using System.Text.Json;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.AppHost;

/// <summary>`dotnet run --project AiServer.AppHost -- --publisher manifest`: what azd deploys.</summary>
public sealed class PublishManifestTests
{
    private static readonly string[] s_azdTypes = ["project.v0", "project.v1", "container.v0", "container.v1", "parameter.v0", "value.v0"];
    private static readonly Dictionary<string, string> s_keyParameters = new()
    {
        ["Replicate"] = "replicate-api-token",
        ["Supabase"] = "supabase-service-role-key",
        ["ElevenLabs"] = "elevenlabs-api-key",
        ["SyncLabs"] = "sync-labs-api-key",
        ["HuggingFace"] = "hf-token",
        ["Bfl"] = "bfl-api-key",
    };

    [Fact]
    public async Task Publish_Manifest_HasOnlyAzdTypesSecretKeysAndNoEmulator()
    {
        // Arrange
        var folder = Directory.CreateTempSubdirectory("aiserver-manifest-").FullName;
        var path = Path.Combine(folder, "aspire-manifest.json");

        // Act
        var (exitCode, output) = await RunAppHostAsync(["--publisher", "manifest", "--output-path", path], new Dictionary<string, string>());

        // Assert
        Assert.True(exitCode == 0 && File.Exists(path), $"the manifest publisher exited {exitCode}:{Environment.NewLine}{output}");
        var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        using var manifest = JsonDocument.Parse(text);
        var resources = manifest.RootElement.GetProperty("resources").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);

        foreach (var (name, resource) in resources)
        {
            Assert.True(s_azdTypes.Contains(resource.GetProperty("type").GetString()), $"resource '{name}' has type {resource.GetProperty("type")}, which azd does not accept");
        }

        Assert.DoesNotContain("providers", resources.Keys);
        Assert.DoesNotContain(resources.Keys, k => k.StartsWith("breaker-", StringComparison.Ordinal));
        Assert.DoesNotContain("emulator", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost", text, StringComparison.Ordinal);

        var redis = resources["redis"];
        Assert.Equal("container.v0", redis.GetProperty("type").GetString());
        Assert.StartsWith("docker.io/library/redis:", redis.GetProperty("image").GetString(), StringComparison.Ordinal);
        Assert.Equal(6379, redis.GetProperty("bindings").GetProperty("tcp").GetProperty("targetPort").GetInt32());
        Assert.Contains("{redis-password.value}", redis.GetProperty("connectionString").GetString(), StringComparison.Ordinal);
        Assert.True(IsSecretParameter(resources, "redis-password"), "redis-password should be a secret parameter");

        foreach (var service in new[] { "api", "training-worker", "speech-worker", "lipsync-worker" })
        {
            var project = resources[service];
            Assert.Equal("project.v0", project.GetProperty("type").GetString());
            var env = project.GetProperty("env").EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetString());
            Assert.Equal("{redis.connectionString}", env["ConnectionStrings__redis"]);
            Assert.Equal("{admin-token.value}", env["Admin__Token"]);
            Assert.False(env.ContainsKey("REDIS_URI"), $"{service}: REDIS_URI would add an annotated.string resource azd rejects");
            Assert.DoesNotContain(env.Keys, k => k.EndsWith("__BaseUrl", StringComparison.Ordinal) && k != "Providers__Supabase__BaseUrl");
            foreach (var (provider, parameter) in s_keyParameters)
            {
                Assert.Equal($"{{{parameter}.value}}", env[$"Providers__{provider}__ApiKey"]);
                Assert.True(IsSecretParameter(resources, parameter), $"{parameter} should be a secret parameter without a value");
            }

            Assert.Equal("{supabase-url.value}", env["Providers__Supabase__BaseUrl"]);
        }

        var apiHttp = resources["api"].GetProperty("bindings").GetProperty("http");
        Assert.True(apiHttp.TryGetProperty("external", out var external) && external.GetBoolean(), "api's http binding should be external");
        foreach (var pool in new[] { "training-worker", "speech-worker", "lipsync-worker" })
        {
            var workersHttp = resources[pool].GetProperty("bindings").GetProperty("http");
            Assert.False(workersHttp.TryGetProperty("external", out var workersExternal) && workersExternal.GetBoolean(), $"{pool} must not be reachable from outside");
        }

        var apiEnv = resources["api"].GetProperty("env").EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetString());
        Assert.Equal("{api-key.value}", apiEnv["Auth__ApiKeys__0"]);
        Assert.True(IsSecretParameter(resources, "api-key"), "api-key should be a secret parameter");
        var speechEnv = resources["speech-worker"].GetProperty("env").EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetString());
        Assert.Equal("speech", speechEnv["Workers__Kinds__0"]);
        Assert.Equal("voice-clone", speechEnv["Workers__Kinds__1"]);
        Assert.False(speechEnv.ContainsKey("Jobs__OutputPath"), "the local output folder must not reach a deployment");

        Assert.True(IsSecretParameter(resources, "admin-token"), "admin-token should be a secret parameter");
        Assert.True(resources["admin-token"].GetProperty("inputs").GetProperty("value").GetProperty("default").TryGetProperty("generate", out _),
            "admin-token should be generated at deployment");
    }

    [Fact]
    public async Task Run_NoRedisServerOnPath_ExitsWithAnErrorNamingThePackage()
    {
        // Arrange: a PATH without redis-server (the AppHost runs through the dotnet host given by its full path).
        var environment = new Dictionary<string, string> { ["PATH"] = Directory.CreateTempSubdirectory("aiserver-nopath-").FullName };

        // Act
        var (exitCode, output) = await RunAppHostAsync([], environment);

        // Assert
        Assert.NotEqual(0, exitCode);
        Assert.Contains("redis-server was not found on PATH", output, StringComparison.Ordinal);
        Assert.Contains("apt-get install redis-server", output, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:redis", output, StringComparison.Ordinal);
    }

    private static bool IsSecretParameter(Dictionary<string, JsonElement> resources, string name) =>
        resources.TryGetValue(name, out var parameter)
        && parameter.GetProperty("type").GetString() == "parameter.v0"
        && parameter.GetProperty("value").GetString() == $"{{{name}.inputs.value}}"
        && parameter.GetProperty("inputs").GetProperty("value").TryGetProperty("secret", out var secret) && secret.GetBoolean();

    private static async Task<(int ExitCode, string Output)> RunAppHostAsync(string[] args, Dictionary<string, string> environment)
    {
        // The dotnet host by its full path, so a test may hand the AppHost a PATH of its own.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Select(d => Path.Combine(d, "dotnet")).FirstOrDefault(File.Exists) ?? "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.Combine(SolutionPaths.Root, "AiServer.AppHost"),
        };

        start.ArgumentList.Add(SolutionPaths.ProjectDll("AiServer.AppHost"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "REPLICATE_API_TOKEN", "ELEVENLABS_API_KEY", "SYNC_LABS_API_KEY", "BFL_API_KEY", "SUPABASE_SERVICE_ROLE_KEY", "HF_TOKEN", "ConnectionStrings__redis" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("the AppHost did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The AppHost ({string.Join(' ', args)}) did not exit within 60 s:{Environment.NewLine}{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
