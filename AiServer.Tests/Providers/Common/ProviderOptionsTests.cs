using AiServer.Providers.Bfl;
using AiServer.Providers.ElevenLabs;
using AiServer.Providers.FileDownload;
using AiServer.Providers.Health;
using AiServer.Providers.HuggingFace;
using AiServer.Providers.Replicate;
using AiServer.Providers.Supabase;
using AiServer.Providers.SyncLabs;
using Microsoft.Extensions.Options;

namespace AiServer.Tests.Providers.Common;

public sealed class ProviderOptionsTests
{
    [Fact]
    public void Options_Defaults_AreTheDocumentedOnes()
    {
        var replicate = new ReplicateOptions();
        var supabase = new SupabaseOptions();
        var eleven = new ElevenLabsOptions();
        var sync = new SyncLabsOptions();
        var hf = new HuggingFaceOptions();
        var bfl = new BflOptions();
        var download = new FileDownloadOptions();

        Assert.Equal("https://api.replicate.com", replicate.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(30), replicate.PreferWait);
        Assert.Equal(TimeSpan.FromSeconds(45), replicate.AttemptTimeout);
        Assert.Equal("http://127.0.0.1:54321", supabase.BaseUrl);
        Assert.Equal("public", supabase.Schema);
        Assert.Equal("https://api.elevenlabs.io", eleven.BaseUrl);
        Assert.Equal(3, eleven.MaxConcurrentRequests);
        Assert.Equal("mp3_44100_128", eleven.DefaultOutputFormat);
        Assert.Equal("https://api.sync.so", sync.BaseUrl);
        Assert.Equal("lipsync-2", sync.DefaultModel);
        Assert.Equal("https://router.huggingface.co/hf-inference", hf.BaseUrl);
        Assert.Equal("stream_chat", hf.SpaceApiName);
        Assert.Equal("https://api.us1.bfl.ai", bfl.BaseUrl);
        Assert.Equal(500L * 1024 * 1024, download.MaxBytes);
        Assert.Empty(download.AllowedHosts);
        Assert.Contains("image/*", download.EffectiveContentTypes);
        Assert.Equal(TimeSpan.FromSeconds(30), new ProviderHealthOptions().CacheDuration);
        Assert.Equal(TimeSpan.FromSeconds(3), new ProviderHealthOptions().ProbeTimeout);
        Assert.True(new ProviderHealthOptions().Shared);
        Assert.Equal(TimeSpan.FromMilliseconds(500), new ProviderHealthOptions().SharedTimeout);
        Assert.False(replicate.IsConfigured);
    }

    [Theory]
    [InlineData("Providers:Replicate:BaseUrl", "ftp://example.com", "Providers:Replicate:BaseUrl: must be an absolute http or https URL")]
    [InlineData("Providers:Replicate:PreferWait", "00:02:00", "Providers:Replicate:PreferWait: must be between 1 and 60 seconds")]
    [InlineData("Providers:Supabase:TotalRequestTimeout", "00:00:01", "Providers:Supabase:TotalRequestTimeout: must be at least AttemptTimeout")]
    [InlineData("Providers:ElevenLabs:MaxConcurrentRequests", "0", "Providers:ElevenLabs:MaxConcurrentRequests: must be between 1 and 1000")]
    [InlineData("Providers:SyncLabs:PollInterval", "00:00:00", "Providers:SyncLabs:PollInterval: must be positive")]
    [InlineData("Providers:HuggingFace:SpaceUrl", "not a url", "Providers:HuggingFace:SpaceUrl: must be an absolute http or https URL")]
    [InlineData("Providers:Bfl:MaxZipBytes", "0", "Providers:Bfl:MaxZipBytes: must be between 1 and")]
    [InlineData("Providers:FileDownload:MaxBytes", "0", "Providers:FileDownload:MaxBytes: must be positive")]
    [InlineData("Providers:FileDownload:AllowedContentTypes:0", "images", "Providers:FileDownload:AllowedContentTypes: 'images' is not a media type")]
    [InlineData("Providers:FileDownload:AllowedHosts:0", "127.0.0.1:99999", "Providers:FileDownload:AllowedHosts: '127.0.0.1:99999' is not a host or host:port")]
    [InlineData("Providers:FileDownload:AllowedHosts:0", "[::1", "Providers:FileDownload:AllowedHosts: '[::1' is not a host or host:port")]
    [InlineData("Providers:Replicate:MaxResponseBytes", "10", "Providers:Replicate:MaxResponseBytes: must be between 1024 and")]
    [InlineData("Providers:HuggingFace:MaxEventBytes", "10", "Providers:HuggingFace:MaxEventBytes: must be between 1024 and")]
    [InlineData("Providers:Health:CacheDuration", "02:00:00", "Providers:Health:CacheDuration")]
    [InlineData("Providers:Health:ProbeTimeout", "00:00:00", "Providers:Health:ProbeTimeout")]
    [InlineData("Providers:Health:SharedTimeout", "00:00:10", "Providers:Health:SharedTimeout")]
    [InlineData("Providers:Health:SharedTimeout", "00:00:00", "Providers:Health:SharedTimeout")]
    public async Task AddAiProviders_InvalidValue_FailsAtStartNamingTheKey(string key, string value, string message)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => ProviderTestHost.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAiProviders_SeedVariables_FillKeysAndSupabaseUrl()
    {
        await using var host = await ProviderTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["REPLICATE_API_TOKEN"] = "r8_seed",
            ["ELEVENLABS_API_KEY"] = "el_seed",
            ["SYNC_LABS_API_KEY"] = "sync_seed",
            ["BFL_API_KEY"] = "bfl_seed",
            ["HF_TOKEN"] = "hf_seed",
            ["SUPABASE_URL"] = "https://abc.supabase.co",
            ["SUPABASE_SERVICE_ROLE_KEY"] = "sb_seed",
            ["Providers:Bfl:ApiKey"] = "bfl_explicit",
        });

        Assert.Equal("r8_seed", host.Get<IOptions<ReplicateOptions>>().Value.ApiKey);
        Assert.Equal("el_seed", host.Get<IOptions<ElevenLabsOptions>>().Value.ApiKey);
        Assert.Equal("sync_seed", host.Get<IOptions<SyncLabsOptions>>().Value.ApiKey);
        Assert.Equal("hf_seed", host.Get<IOptions<HuggingFaceOptions>>().Value.ApiKey);
        Assert.Equal("bfl_explicit", host.Get<IOptions<BflOptions>>().Value.ApiKey);
        Assert.Equal("https://abc.supabase.co", host.Get<IOptions<SupabaseOptions>>().Value.BaseUrl);
        Assert.Equal("sb_seed", host.Get<IOptions<SupabaseOptions>>().Value.ApiKey);
    }

    [Fact]
    public async Task AddAiProviders_NoConfiguration_StartsAndResolvesEveryClient()
    {
        await using var host = await ProviderTestHost.StartAsync(new Dictionary<string, string?>());

        Assert.NotNull(host.Get<ReplicateClient>());
        Assert.NotNull(host.Get<SupabaseClient>());
        Assert.NotNull(host.Get<ElevenLabsClient>());
        Assert.NotNull(host.Get<SyncLabsClient>());
        Assert.NotNull(host.Get<HuggingFaceClient>());
        Assert.NotNull(host.Get<BflClient>());
        Assert.NotNull(host.Get<FileDownloadClient>());
    }
}
