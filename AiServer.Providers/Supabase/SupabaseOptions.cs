namespace AiServer.Providers.Supabase;

/// <summary>
/// Supabase REST (PostgREST), section <c>Providers:Supabase</c>; <c>SUPABASE_URL</c> and <c>SUPABASE_SERVICE_ROLE_KEY</c>
/// fill <see cref="ProviderClientOptions.BaseUrl"/> and <see cref="ProviderClientOptions.ApiKey"/> when those are not set.
/// </summary>
public sealed class SupabaseOptions : ProviderClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Providers:Supabase";

    /// <summary>Creates the options with the defaults (the local Supabase CLI's URL).</summary>
    public SupabaseOptions()
    {
        BaseUrl = "http://127.0.0.1:54321";
        AttemptTimeout = TimeSpan.FromSeconds(5);
        TotalRequestTimeout = TimeSpan.FromSeconds(15);
    }

    /// <summary>The Postgres schema (<c>Accept-Profile</c>/<c>Content-Profile</c>); default <c>public</c>.</summary>
    public string Schema { get; set; } = "public";

    /// <summary>A table the health probe reads one row of (<c>select=*&amp;limit=1</c>), so the probe touches the database; empty = Auth health only.</summary>
    public string? HealthCheckTable { get; set; }

    internal override void Validate(string section, List<string> errors)
    {
        base.Validate(section, errors);
        if (string.IsNullOrWhiteSpace(Schema))
        {
            errors.Add($"{section}:Schema: must not be empty.");
        }
    }
}
