using System.Text;
using AiServer.ServiceDefaults.Redis;

namespace AiServer.Tests.ServiceDefaults.Redis;

public sealed class RedisValueTests
{
    [Fact]
    public void Default_IsNull()
    {
        RedisValue value = default;

        Assert.True(value.IsNull);
        Assert.Equal(RedisValue.Null, value);
        Assert.Null((string?)value);
        Assert.Null((byte[]?)value);
        Assert.Null((long?)value);
    }

    [Fact]
    public void Equals_TextAndSameUtf8Bytes_AreEqual()
    {
        RedisValue text = "héllo";
        RedisValue bytes = Encoding.UTF8.GetBytes("héllo");

        Assert.Equal(text, bytes);
        Assert.Equal(text.GetHashCode(), bytes.GetHashCode());
        Assert.NotEqual(text, (RedisValue)"hello");
    }

    [Fact]
    public void Numbers_ConvertBothWays()
    {
        RedisValue fromText = "42";
        RedisValue fromLong = 42L;
        RedisValue fromDouble = 2.5;

        Assert.Equal(42L, (long)fromText);
        Assert.Equal("42", fromLong.ToString());
        Assert.Equal(fromText, fromLong);
        Assert.Equal(2.5, (double)fromDouble);
        Assert.Equal("+inf", ((RedisValue)double.PositiveInfinity).ToString());
        Assert.Equal(double.NegativeInfinity, (double)(RedisValue)"-inf");
    }

    [Fact]
    public void ExplicitLong_NotANumber_ThrowsInvalidCastNamingTheValue()
    {
        RedisValue value = "abc";

        InvalidCastException error = Assert.Throws<InvalidCastException>(() => (long)value);

        Assert.Contains("'abc' is not an integer", error.Message, StringComparison.Ordinal);
    }
}
