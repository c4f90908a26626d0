using System.Net;
using AiServer.Providers;
using AiServer.Providers.FileDownload;
using AiServer.ServiceDefaults.Resilience;

namespace AiServer.Tests.Providers.FileDownload;

public sealed class FileDownloadClientTests(ProviderEmulatorFixture emulator, TestOrigin origin) : IClassFixture<ProviderEmulatorFixture>, IClassFixture<TestOrigin>, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("aiserver-download-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Target => Path.Combine(_directory.FullName, "file.bin");

    private Uri Blob(long size, string contentType = "image/png") => new(emulator.BaseUri, $"files/blob/a.bin?size={size}&contentType={Uri.EscapeDataString(contentType)}");

    /// <summary>A host whose downloader allows no private host at all (the production default).</summary>
    private Task<ProviderTestHost> StrictHostAsync()
    {
        var settings = ProviderTestHost.EmulatorConfiguration(emulator);
        settings.Remove("Providers:FileDownload:AllowedHosts:0");
        return ProviderTestHost.StartAsync(settings);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task DownloadAsync_AllowedHost_StreamsTheFileToDisk()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var result = await host.Get<FileDownloadClient>().DownloadAsync(Blob(300_000), Target, cancellationToken: Ct);

        Assert.Equal(300_000, result.Bytes);
        Assert.Equal(300_000, new FileInfo(Target).Length);
        Assert.Equal("image/png", result.ContentType);
        Assert.Equal([Target], Directory.GetFiles(_directory.FullName));
    }

    [Fact]
    public async Task DownloadAsync_DeclaredLengthOverLimit_RefusedAndNothingOnDisk()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<FileDownloadClient>().DownloadAsync(Blob(2_000_000), Target, maxBytes: 1_000_000, cancellationToken: Ct));

        Assert.Equal(FileDownloadErrors.TooLarge, ex.ErrorCode);
        Assert.Empty(Directory.GetFiles(_directory.FullName));
    }

    [Fact]
    public async Task DownloadAsync_ChunkedBodyOverLimit_StoppedAtTheLimitAndNothingOnDisk()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() =>
            host.Get<FileDownloadClient>().DownloadAsync(new Uri(origin.BaseUri, "chunked?size=5000000"), Target, maxBytes: 100_000, cancellationToken: Ct));

        Assert.Equal(FileDownloadErrors.TooLarge, ex.ErrorCode);
        Assert.Empty(Directory.GetFiles(_directory.FullName));
    }

    [Fact]
    public async Task DownloadAsync_ContentTypeNotAllowed_Refused()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<FileDownloadClient>().DownloadAsync(Blob(10, "text/html"), Target, cancellationToken: Ct));

        Assert.Equal(FileDownloadErrors.ContentTypeRefused, ex.ErrorCode);
        Assert.Empty(Directory.GetFiles(_directory.FullName));
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/x")]
    [InlineData("http://[::1]:1/x")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.1.2.3/x")]
    [InlineData("http://192.168.0.10/x")]
    [InlineData("http://[::ffff:127.0.0.1]/x")]
    [InlineData("http://0.0.0.0/x")]
    [InlineData("http://localhost:1/x")]
    public async Task DownloadAsync_PrivateOrLoopbackTarget_RefusedBeforeAnyRequest(string url)
    {
        await using var host = await StrictHostAsync();

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<FileDownloadClient>().DownloadAsync(new Uri(url), Target, cancellationToken: Ct));

        Assert.Equal(FileDownloadErrors.AddressRefused, ex.ErrorCode);
        Assert.Empty(Directory.GetFiles(_directory.FullName));
        Assert.Equal(0, host.Get<ICircuitBreakerRegistry>().Get(ProviderNames.FileDownload).GetStats().Failures);
    }

    [Fact]
    public async Task DownloadAsync_RedirectToLoopbackName_RefusedAtTheRedirect()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var target = Blob(10).AbsoluteUri.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        var ex = await Assert.ThrowsAsync<ProviderException>(() =>
            host.Get<FileDownloadClient>().DownloadAsync(new Uri(origin.BaseUri, "redirect?to=" + Uri.EscapeDataString(target)), Target, cancellationToken: Ct));

        Assert.Equal(FileDownloadErrors.AddressRefused, ex.ErrorCode);
        Assert.Empty(Directory.GetFiles(_directory.FullName));
    }

    [Fact]
    public async Task DownloadAsync_RedirectToMetadataAddress_Refused()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() =>
            host.Get<FileDownloadClient>().DownloadAsync(new Uri(origin.BaseUri, "redirect?to=" + Uri.EscapeDataString("http://169.254.169.254/latest/")), Target, cancellationToken: Ct));

        Assert.Equal(FileDownloadErrors.AddressRefused, ex.ErrorCode);
    }

    [Fact]
    public async Task DownloadAsync_RedirectToAllowedHost_FollowsIt()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var result = await host.Get<FileDownloadClient>().DownloadAsync(new Uri(origin.BaseUri, "redirect?to=" + Uri.EscapeDataString(Blob(1234).AbsoluteUri)), Target, cancellationToken: Ct);

        Assert.Equal(1234, result.Bytes);
        Assert.Equal(emulator.BaseUri.Port, result.FinalUri.Port);
    }

    [Fact]
    public async Task DownloadAsync_AllowedHostWithPort_OnlyThatPortAllowed()
    {
        var settings = ProviderTestHost.EmulatorConfiguration(emulator);
        settings["Providers:FileDownload:AllowedHosts:0"] = $"127.0.0.1:{emulator.BaseUri.Port}";
        await using var host = await ProviderTestHost.StartAsync(settings);
        var client = host.Get<FileDownloadClient>();

        var allowed = await client.DownloadAsync(Blob(10), Target, cancellationToken: Ct);
        // Another service on the same loopback address (here the test origin; in production e.g. Redis).
        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.DownloadAsync(new Uri(origin.BaseUri, "chunked?size=10"), Target, cancellationToken: Ct));

        Assert.Equal(10, allowed.Bytes);
        Assert.Equal(FileDownloadErrors.AddressRefused, ex.ErrorCode);
        Assert.Equal(0, host.Get<ICircuitBreakerRegistry>().Get(ProviderNames.FileDownload).GetStats().Failures);
    }

    [Fact]
    public async Task FileDownloadHttpClient_AllowedPortButConnectToAnotherPort_RefusedAtConnect()
    {
        var settings = ProviderTestHost.EmulatorConfiguration(emulator);
        settings["Providers:FileDownload:AllowedHosts:0"] = $"127.0.0.1:{emulator.BaseUri.Port}";
        await using var host = await ProviderTestHost.StartAsync(settings);
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = host.Get<SsrfGuard>().ConnectAsync, UseProxy = false });

        var ex = await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync(new Uri(origin.BaseUri, "chunked?size=10"), Ct));

        Assert.IsType<SsrfRefusedException>(ex.InnerException);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", 6379, true)]
    [InlineData("127.0.0.1:5100", "127.0.0.1", 5100, true)]
    [InlineData("127.0.0.1:5100", "127.0.0.1", 6379, false)]
    [InlineData("[::1]:5100", "[::1]", 5100, true)]
    [InlineData("[::1]:5100", "[::1]", 80, false)]
    [InlineData("::1", "[0:0::1]", 80, true)]
    [InlineData("Files.Local:8080", "files.local", 8080, true)]
    [InlineData("files.local:8080", "other.local", 8080, false)]
    public async Task IsAllowedHost_Entry_MatchesHostAndPort(string entry, string host, int port, bool allowed)
    {
        var settings = ProviderTestHost.EmulatorConfiguration(emulator);
        settings["Providers:FileDownload:AllowedHosts:0"] = entry;
        await using var testHost = await ProviderTestHost.StartAsync(settings);

        Assert.Equal(allowed, testHost.Get<SsrfGuard>().IsAllowedHost(host, port));
    }

    [Fact]
    public async Task DownloadAsync_DestinationDirectoryMissing_LocalErrorBeforeAnyRequest()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var before = (await emulator.RequestsAsync("files")).Count;
        var missing = Path.Combine(_directory.FullName, "no-such-dir", "file.bin");

        var ex = await Assert.ThrowsAsync<FileDownloadStorageException>(() => host.Get<FileDownloadClient>().DownloadAsync(Blob(10), missing, cancellationToken: Ct));

        Assert.StartsWith(missing, ex.Path, StringComparison.Ordinal);
        Assert.IsType<DirectoryNotFoundException>(ex.InnerException);
        Assert.Equal(before, (await emulator.RequestsAsync("files")).Count);
        Assert.Equal(0, host.Get<ICircuitBreakerRegistry>().Get(ProviderNames.FileDownload).GetStats().Failures);
        Assert.Empty(Directory.GetFileSystemEntries(_directory.FullName));
    }

    [Fact]
    public async Task DownloadAsync_FileScheme_Refused()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<FileDownloadClient>().DownloadAsync(new Uri("file:///etc/passwd"), Target, cancellationToken: Ct));

        Assert.Equal(FileDownloadErrors.SchemeRefused, ex.ErrorCode);
    }

    [Fact]
    public async Task DownloadAsync_5xxBurst_OpensOnlyTheFileDownloadBreaker()
    {
        // A recovery longer than the retry preset's longest delay, so the rejection is returned rather than waited out.
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["CircuitBreakers:file-download:RecoveryTimeout"] = "00:00:30" });
        await emulator.AddFaultAsync(new { provider = "files", path = "/blob/burst.bin", kind = "error", statusCode = 502, count = 3 });

        var first = await Assert.ThrowsAsync<ProviderException>(() => host.Get<FileDownloadClient>().DownloadAsync(new Uri(emulator.BaseUri, "files/blob/burst.bin?size=10"), Target, cancellationToken: Ct));
        var rejected = await Assert.ThrowsAsync<ProviderUnavailableException>(() => host.Get<FileDownloadClient>().DownloadAsync(Blob(10), Target, cancellationToken: Ct));

        Assert.Equal(502, first.StatusCode);
        Assert.True(rejected.BreakerRejected);
        var breakers = host.Get<ICircuitBreakerRegistry>();
        Assert.Equal(CircuitState.Open, breakers.Get(ProviderNames.FileDownload).State);
        Assert.Equal(CircuitState.Closed, breakers.Get(ProviderNames.Replicate).State);
        Assert.Empty(Directory.GetFiles(_directory.FullName));
    }

    [Theory]
    [InlineData("8.8.8.8", false)]
    [InlineData("2001:4860:4860::8888", false)]
    [InlineData("127.0.0.2", true)]
    [InlineData("172.16.5.4", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("100.64.0.1", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::", true)]
    [InlineData("::1", true)]
    [InlineData("::1%1", true)]
    [InlineData("fe80::1%2", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::127.0.0.1", true)]
    [InlineData("::169.254.169.254", true)]
    [InlineData("::8.8.8.8", false)]
    [InlineData("64:ff9b::7f00:1", true)]
    [InlineData("64:ff9b::a9fe:a9fe", true)]
    [InlineData("64:ff9b::808:808", false)]
    [InlineData("64:ff9b:1::1", true)]
    [InlineData("2002:7f00:1::1", true)]
    [InlineData("2002:c0a8:101::1", true)]
    [InlineData("2002:808:808::1", false)]
    [InlineData("2001:0:4136:e378::1", true)]
    public void IsForbidden_Address_MatchesTheRanges(string address, bool forbidden) =>
        Assert.Equal(forbidden, SsrfGuard.IsForbidden(IPAddress.Parse(address)));

    [Fact]
    public async Task DownloadAsync_BodySlowerThanDownloadTimeout_TimesOutAndNothingOnDisk()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:FileDownload:DownloadTimeout"] = "00:00:00.500" });

        var ex = await Assert.ThrowsAsync<ProviderUnavailableException>(() =>
            host.Get<FileDownloadClient>().DownloadAsync(new Uri(origin.BaseUri, "slow?chunks=50&delayMs=100"), Target, cancellationToken: Ct));

        Assert.Contains("did not finish", ex.ProviderMessage, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory.FullName));
    }

    [Fact]
    public async Task FileDownloadHttpClient_LoopbackWithoutDownloadClient_RefusedBeforeThePipeline()
    {
        await using var host = await StrictHostAsync();
        var http = host.Get<System.Net.Http.IHttpClientFactory>().CreateClient(ProviderNames.FileDownload);

        // Straight through the named client: its outermost handler refuses, before retries and the breaker.
        var ex = await Assert.ThrowsAnyAsync<ProviderException>(() => http.GetAsync(Blob(10), Ct));

        Assert.Equal(FileDownloadErrors.AddressRefused, ex.ErrorCode);
        Assert.Equal(0, host.Get<ICircuitBreakerRegistry>().Get(ProviderNames.FileDownload).GetStats().Failures);
    }

    [Fact]
    public async Task DownloadAsync_NameResolvingToLoopback_RefusedOnceEachNeverCountedNorRetried()
    {
        await using var host = await StrictHostAsync();
        var guard = host.Get<SsrfGuard>();
        var resolutions = 0;
        guard.Resolver = (_, _) =>
        {
            Interlocked.Increment(ref resolutions);
            return Task.FromResult(new[] { IPAddress.Loopback });
        };
        var url = new Uri($"http://rebind.test:{emulator.BaseUri.Port}/files/blob/a.bin?size=10");

        // More refusals than the breaker's threshold (3).
        for (var i = 0; i < 4; i++)
        {
            var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<FileDownloadClient>().DownloadAsync(url, Target, cancellationToken: Ct));
            Assert.Equal(FileDownloadErrors.AddressRefused, ex.ErrorCode);
        }

        Assert.Equal(4, resolutions);
        var breaker = host.Get<ICircuitBreakerRegistry>().Get(ProviderNames.FileDownload);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.GetStats().Failures);
    }

    [Fact]
    public async Task DownloadAsync_DnsAnswerChangesAfterTheCheck_ConnectsToTheCheckedAddress()
    {
        var settings = ProviderTestHost.EmulatorConfiguration(emulator);
        settings["Providers:FileDownload:AllowedHosts:0"] = "files.test";
        await using var host = await ProviderTestHost.StartAsync(settings);
        var resolutions = 0;
        host.Get<SsrfGuard>().Resolver = (_, _) => Interlocked.Increment(ref resolutions) == 1
            ? Task.FromResult(new[] { IPAddress.Loopback })
            : Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));

        // A second resolution at connect time would fail; the connection must use the answer that was checked.
        var result = await host.Get<FileDownloadClient>().DownloadAsync(new Uri($"http://files.test:{emulator.BaseUri.Port}/files/blob/a.bin?size=10"), Target, cancellationToken: Ct);

        Assert.Equal(10, result.Bytes);
        Assert.Equal(1, resolutions);
    }

    [Fact]
    public async Task ConnectAsync_WithoutCheckedAddresses_ResolvesAndRefusesLoopback()
    {
        await using var host = await StrictHostAsync();
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = host.Get<SsrfGuard>().ConnectAsync, UseProxy = false });

        // Bypasses the check handler: the connect callback itself must refuse the address.
        var ex = await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync(Blob(10), Ct));

        Assert.IsType<SsrfRefusedException>(ex.InnerException);
        Assert.Contains("loopback", ex.ToString(), StringComparison.Ordinal);
    }
}
