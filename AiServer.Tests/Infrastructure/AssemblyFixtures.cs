using AiServer.Tests.Infrastructure;

// One redis-server for the whole test assembly: any test class takes RedisServer in its constructor to share it.
[assembly: AssemblyFixture(typeof(RedisServer))]
