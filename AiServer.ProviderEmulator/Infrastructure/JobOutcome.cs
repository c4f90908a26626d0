namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>
/// How an emulated job ends. Chosen by the request header <c>X-Emulator-Outcome</c> or, for clients that cannot set
/// headers, by a marker <c>emulator:{outcome}</c> anywhere in the job's text input (e.g. the prompt).
/// </summary>
internal enum JobOutcome
{
    Succeeded,
    Failed,
    Canceled,
    Moderated,
    Rejected,
}
