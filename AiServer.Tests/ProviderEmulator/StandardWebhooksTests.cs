using System.Text;
using AiServer.ProviderEmulator.Webhooks;

namespace AiServer.Tests.ProviderEmulator;

/// <summary>Replicate's Standard Webhooks signature against the documented test vector (replicate-python tests).</summary>
public sealed class StandardWebhooksTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const string Timestamp = "1614265330";
    private const string Body = "{\"test\": 2432232314}";
    private const string Signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    [Fact]
    public void Verify_DocumentedTestVector_IsAccepted() =>
        Assert.True(StandardWebhooksVerifier.Verify(Secret, Id, Timestamp, Encoding.UTF8.GetBytes(Body), Signature));

    [Fact]
    public void StandardWebhooks_DocumentedTestVector_ProducesDocumentedSignature() =>
        Assert.Equal(Signature, WebhookSigning.StandardWebhooks(Secret, Id, long.Parse(Timestamp, System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(Body)));

    [Theory]
    [InlineData("v1,h0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("")]
    public void Verify_ForgedSignature_IsRefused(string forged) =>
        Assert.False(StandardWebhooksVerifier.Verify(Secret, Id, Timestamp, Encoding.UTF8.GetBytes(Body), forged));

    [Fact]
    public void Verify_TamperedBody_IsRefused() =>
        Assert.False(StandardWebhooksVerifier.Verify(Secret, Id, Timestamp, Encoding.UTF8.GetBytes("{\"test\": 2432232315}"), Signature));

    [Fact]
    public void Verify_SeveralSignaturesOneValid_IsAccepted() =>
        Assert.True(StandardWebhooksVerifier.Verify(Secret, Id, Timestamp, Encoding.UTF8.GetBytes(Body), "v1,bm90LXZhbGlk " + Signature));
}
