using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AiServer.AppHost.Restarts;

/// <summary>Restart of crashed resources with backoff and a cap.</summary>
public static class RestartOnExitExtensions
{
    /// <summary>
    /// Restarts the resource's process (each replica on its own) when it exits without having been asked to stop: after
    /// 1 s, then 2 s, 4 s, ... up to 30 s, at most <paramref name="maxRestarts"/> times in 5 minutes. Each restart is
    /// written to the resource's console log in the dashboard, to the AppHost's log, and counted in the resource's
    /// <c>aiserver.restarts</c> property.
    /// </summary>
    public static IResourceBuilder<T> WithRestartOnExit<T>(this IResourceBuilder<T> builder, int maxRestarts = 10)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRestarts, 1);
        if (builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            builder.WithAnnotation(new RestartOnExitAnnotation(maxRestarts, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));
            builder.ApplicationBuilder.Services.TryAddSingleton(TimeProvider.System);
            builder.ApplicationBuilder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ResourceRestarter>());
        }

        return builder;
    }
}
