namespace AiServer.Tests.AppHost;

/// <summary>The tests that share one running application (starting it takes tens of seconds on 2 cores).</summary>
[CollectionDefinition(Name)]
public sealed class WholeAppCollection : ICollectionFixture<WholeAppFixture>
{
    public const string Name = "Whole application";
}
