namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>State that <c>POST /_emulator/reset</c> clears.</summary>
internal interface IResettable
{
    void Reset();
}
