using AiServer.Jobs.Outbox;
using AiServer.Jobs.Webhooks;
using AiServer.ServiceDefaults.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiServer.Tests.Jobs;

/// <summary>Sections <c>Webhooks</c> and <c>Outbox</c>: documented defaults, and bad values refused at start naming the key.</summary>
public sealed class CompletionOptionsTests
{
    [Fact]
    public void Defaults_NoConfiguration_AreTheDocumentedValues()
    {
        using var services = Build([]);

        var webhooks = services.GetRequiredService<IOptions<WebhooksOptions>>().Value;
        var outbox = services.GetRequiredService<IOptions<OutboxOptions>>().Value;

        Assert.Null(webhooks.PublicBaseUrl);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10)), (webhooks.ReplayWindow, webhooks.FallbackPollInterval, webhooks.FlowingFor));
        Assert.Equal((5, TimeSpan.FromSeconds(10), TimeSpan.FromHours(24)), (webhooks.DeliveryAttempts, webhooks.DeliveryTimeout, webhooks.SecretGracePeriod));
        Assert.Equal((true, "ai_jobs", "ai_job_events", 100), (outbox.Enabled, outbox.JobsTable, outbox.EventsTable, outbox.BatchSize));
        Assert.Equal((TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), (outbox.IdlePoll, outbox.RetryDelay, outbox.LeaseTime));
    }

    [Theory]
    [InlineData("Webhooks:PublicBaseUrl", "ftp://example.com/", "Webhooks:PublicBaseUrl must be an absolute http(s) URL")]
    [InlineData("Webhooks:PublicBaseUrl", "https://user:pw@example.com/", "Webhooks:PublicBaseUrl must be an absolute http(s) URL")]
    [InlineData("Webhooks:ReplayWindow", "02:00:00", "Webhooks:ReplayWindow: The field ReplayWindow must be between")]
    [InlineData("Webhooks:DeliveryAttempts", "0", "Webhooks:DeliveryAttempts: The field DeliveryAttempts must be between 1 and 50.")]
    [InlineData("Outbox:JobsTable", "ai-jobs; drop table", "Outbox:JobsTable must be a lower-case SQL identifier.")]
    [InlineData("Outbox:BatchSize", "0", "Outbox:BatchSize: The field BatchSize must be between 1 and 1000.")]
    public void Validation_InvalidValue_FailsAtStartNamingTheKey(string key, string value, string expectedMessage)
    {
        using var services = Build(new Dictionary<string, string?> { [key] = value });

        var ex = Assert.ThrowsAny<OptionsValidationException>(() =>
        {
            _ = services.GetRequiredService<IOptions<WebhooksOptions>>().Value;
            _ = services.GetRequiredService<IOptions<OutboxOptions>>().Value;
        });

        Assert.Contains(expectedMessage, ex.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddValidatedOptions<WebhooksOptions>(WebhooksOptions.SectionName);
        services.AddSingleton<IValidateOptions<WebhooksOptions>, WebhooksOptionsValidator>();
        services.AddValidatedOptions<OutboxOptions>(OutboxOptions.SectionName);
        return services.BuildServiceProvider();
    }
}
