namespace AiServer.Tests.Jobs;

/// <summary>The job tests share one <see cref="JobsFixture"/> and run one after another (they inject faults and kill workers).</summary>
[CollectionDefinition("Jobs")]
public sealed class JobsCollection : ICollectionFixture<JobsFixture>;
