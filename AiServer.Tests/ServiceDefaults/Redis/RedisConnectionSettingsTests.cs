using AiServer.ServiceDefaults.Redis;

namespace AiServer.Tests.ServiceDefaults.Redis;

public sealed class RedisConnectionSettingsTests
{
    [Fact]
    public void Parse_HostOnly_UsesDefaults()
    {
        RedisConnectionSettings settings = RedisConnectionSettings.Parse("localhost");

        Assert.Equal("localhost", settings.Host);
        Assert.Equal(6379, settings.Port);
        Assert.Null(settings.Password);
        Assert.False(settings.Ssl);
        Assert.Equal(0, settings.DefaultDatabase);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.CommandTimeout);
    }

    [Fact]
    public void Parse_EveryOption_IsRead()
    {
        RedisConnectionSettings settings = RedisConnectionSettings.Parse(
            "redis.internal:6380, password=p@ss=word ,user=app,ssl=True,defaultDatabase=2,connectTimeout=1500,syncTimeout=250,name=api-1,abortConnect=false");

        Assert.Equal("redis.internal", settings.Host);
        Assert.Equal(6380, settings.Port);
        Assert.Equal("p@ss=word", settings.Password);
        Assert.Equal("app", settings.User);
        Assert.True(settings.Ssl);
        Assert.Equal(2, settings.DefaultDatabase);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), settings.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.CommandTimeout);
        Assert.Equal("api-1", settings.ClientName);
        Assert.DoesNotContain("p@ss", settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BracketedIpv6_ReadsHostAndPort()
    {
        RedisConnectionSettings settings = RedisConnectionSettings.Parse("[::1]:7000");

        Assert.Equal("::1", settings.Host);
        Assert.Equal(7000, settings.Port);
        Assert.Equal("[::1]:7000", settings.EndPoint);
    }

    [Theory]
    [InlineData("", "ConnectionStrings:redis is not set")]
    [InlineData("   ", "ConnectionStrings:redis is not set")]
    [InlineData("localhost:notaport", "ConnectionStrings:redis has an invalid port 'notaport'")]
    [InlineData("localhost:70000", "ConnectionStrings:redis has an invalid port '70000'")]
    [InlineData("password=x", "ConnectionStrings:redis has no endpoint")]
    [InlineData("a:1,b:2", "ConnectionStrings:redis lists more than one endpoint")]
    [InlineData("localhost,ssl=maybe", "ConnectionStrings:redis option 'ssl' must be true or false, not 'maybe'")]
    [InlineData("localhost,defaultDatabase=-1", "ConnectionStrings:redis option 'defaultDatabase' must be a whole number")]
    [InlineData("localhost,syncTimeout=0", "ConnectionStrings:redis option 'syncTimeout' must be a whole number from 1")]
    [InlineData("localhost,sentinel=yes", "ConnectionStrings:redis has an unknown option 'sentinel'")]
    [InlineData("::1:6379", "without brackets")]
    public void Parse_Invalid_SaysWhatIsWrongAndNamesTheKey(string connectionString, string expected)
    {
        FormatException error = Assert.Throws<FormatException>(() => RedisConnectionSettings.Parse(connectionString));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost,password=ab,secretTail", "secretTail", "part #3")]
    [InlineData("localhost,password=ab,secretKey=v", "secretKey", "part #3")]
    [InlineData("password=ab,secretHost,localhost", "secretHost", "part #3")]
    [InlineData("localhost,password=ab,ssl=secretValue", "secretValue", "part #3")]
    public void Parse_PasswordWithComma_NeverEchoesAFragment(string connectionString, string fragment, string expected)
    {
        FormatException error = Assert.Throws<FormatException>(() => RedisConnectionSettings.Parse(connectionString));

        Assert.DoesNotContain(fragment, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:redis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadPasswordValue_NeverEchoesIt()
    {
        FormatException error = Assert.Throws<FormatException>(() => RedisConnectionSettings.Parse("localhost,password=secret-value,bogus=1"));

        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
    }
}
