namespace AiServer.Tests.ProviderEmulator;

/// <summary>Emulator tests share one emulator and its global state (faults, reset), so they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorFixture>
{
    public const string Name = "ProviderEmulator";
}
