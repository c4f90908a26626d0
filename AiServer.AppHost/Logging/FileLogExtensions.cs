namespace AiServer.AppHost.Logging;

/// <summary>Gives every replica of a service its own rolling file log under the solution's <c>logs/</c> folder.</summary>
public static class FileLogExtensions
{
    // DCP expands this template per replica, as Aspire does for OTEL_RESOURCE_ATTRIBUTES' service.instance.id, so two
    // replicas of one project never write the same file.
    private const string InstanceIdTemplate = "{{- index .Annotations \"otel-service-instance-id\" -}}";

    /// <summary>Sets <c>Logging:File:Path</c> to <c>logs/{resource}-{instance id}.log</c> in the solution (run mode only).</summary>
    public static IResourceBuilder<ProjectResource> WithFileLog(this IResourceBuilder<ProjectResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            var folder = Path.GetFullPath(Path.Combine(builder.ApplicationBuilder.AppHostDirectory, "..", "logs"));
            builder.WithEnvironment("Logging__File__Path", Path.Combine(folder, $"{builder.Resource.Name}-{InstanceIdTemplate}.log"));
        }

        return builder;
    }
}
