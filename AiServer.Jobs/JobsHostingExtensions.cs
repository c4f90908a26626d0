using AiServer.Jobs.Execution;
using AiServer.Jobs.Outbox;
using AiServer.Jobs.Webhooks;
using AiServer.Providers.FileDownload;
using AiServer.Jobs.Store;
using AiServer.Jobs.Submission;
using AiServer.ServiceDefaults.Health;
using AiServer.ServiceDefaults.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiServer.Jobs;

/// <summary>Registers the job store and queue (api and workers) and the worker pool (workers).</summary>
public static class JobsHostingExtensions
{
    /// <summary>
    /// The job records, streams and announcements in Redis, the output storage and the request validation, with the
    /// validated <see cref="JobsOptions"/> (section <c>Jobs</c>). Call after <c>AddAiServerRedisClient()</c> and
    /// <c>AddAiProviders()</c>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddValidatedOptions<JobsOptions>(JobsOptions.SectionName);
        services.AddSingleton<IValidateOptions<JobsOptions>, JobsOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<JobKeys>();
        services.TryAddSingleton<JobStore>();
        services.TryAddSingleton<JobQueue>();
        services.TryAddSingleton<JobTelemetry>();
        services.TryAddSingleton<JobOutputStore>();
        services.TryAddSingleton<JobRequestValidator>();
        services.AddValidatedOptions<OutboxOptions>(OutboxOptions.SectionName);
        services.AddValidatedOptions<WebhooksOptions>(WebhooksOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhooksOptions>, WebhooksOptionsValidator>());
        services.TryAddSingleton<ProviderPush>();
        services.TryAddSingleton<WebhookTelemetry>();
        if (!services.Any(d => d.ServiceType == typeof(JobNotifier)))
        {
            // The executors also serve the api: a cancel there cancels at the provider too.
            services.AddSingleton<IJobExecutor, SpeechExecutor>();
            services.AddSingleton<IJobExecutor, VoiceCloneExecutor>();
            services.AddSingleton<IJobExecutor, LipSyncExecutor>();
            services.AddSingleton<IJobExecutor, ImageCaptionExecutor>();
            services.AddSingleton<IJobExecutor, ImageGenerationExecutor>();
            services.AddSingleton<IJobExecutor, ModelTrainingExecutor>();
            services.AddSingleton<JobNotifier>();
            services.AddHostedService(sp => sp.GetRequiredService<JobNotifier>());
        }

        return builder;
    }

    /// <summary>
    /// The worker pool: runs the kinds <c>Workers:Kinds</c> names (all when unset) with <c>Workers:Concurrency</c> jobs
    /// per kind, and reports itself as <c>workers</c> in <c>/health/detailed</c>. Calls <see cref="AddJobs"/>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    public static IHostApplicationBuilder AddJobWorkers(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddJobs();
        var services = builder.Services;
        services.AddValidatedOptions<JobWorkerOptions>(JobWorkerOptions.SectionName);
        services.AddSingleton<IValidateOptions<JobWorkerOptions>, JobWorkerOptionsValidator>();
        services.TryAddSingleton<JobProcessor>();
        services.AddSingleton<JobWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        services.AddHealthChecks().AddCheck<JobWorkerHealthCheck>("workers", tags: [HealthTags.Detailed]);
        return builder;
    }

    /// <summary>
    /// The api's part of job completion (docs/jobs.md): provider webhooks in (<see cref="ProviderWebhookReceiver"/>), client
    /// webhooks out (<see cref="ClientWebhookDeliverer"/>, secrets, delivery log) and the Supabase outbox relay
    /// (<see cref="OutboxRelay"/>, section <c>Outbox</c>) with its reconciliation. Calls <see cref="AddJobs"/>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="renderer">Renders a job as clients see it, for the client webhooks' <c>data</c>.</param>
    public static IHostApplicationBuilder AddJobCompletion(this IHostApplicationBuilder builder, Func<IServiceProvider, Func<JobRecord, System.Text.Json.Nodes.JsonNode>> renderer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(renderer);
        builder.AddJobs();
        var services = builder.Services;
        services.TryAddSingleton<OutboxTelemetry>();
        services.TryAddSingleton<OutboxReconciler>();
        services.AddSingleton<OutboxRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        services.AddHealthChecks().AddCheck<OutboxHealthCheck>("outbox", tags: [HealthTags.Detailed]);
        services.TryAddSingleton<ProviderWebhookReceiver>();
        services.TryAddSingleton<ClientWebhookSecrets>();
        services.TryAddSingleton<ClientWebhookLog>();
        services.AddSingleton<IJobPayloadRenderer>(sp => new DelegateJobPayloadRenderer(renderer(sp)));
        services.AddHostedService<ClientWebhookDeliverer>();
#pragma warning disable EXTEXP0001 // The package's documented way to keep the default resilience handler off one client: deliveries retry on their own schedule.
        services.AddHttpClient(ClientWebhookDeliverer.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new System.Net.Http.SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = sp.GetRequiredService<SsrfGuard>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            .AddHttpMessageHandler<SsrfCheckHandler>()
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }

    /// <summary>Samples the queues for the <c>jobs_queue_*</c> and <c>jobs_dead_letters</c> gauges (the api does it: it sees every kind).</summary>
    /// <param name="builder">The host builder.</param>
    public static IHostApplicationBuilder AddJobQueueMetrics(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddJobs();
        builder.Services.AddHostedService<JobQueueMonitor>();
        return builder;
    }
}
