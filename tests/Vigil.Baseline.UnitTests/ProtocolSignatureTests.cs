using Vigil.Baseline.Learning;

namespace Vigil.Baseline.UnitTests;

public sealed class ProtocolSignatureTests
{
    [Theory]
    [InlineData("tcp", "https", 443, "tcp/https/well-known")]
    [InlineData("TCP", "FTP", 21, "tcp/ftp/well-known")]
    [InlineData("tcp", "", 4444, "tcp/raw/registered")]
    [InlineData("udp", "", 51820, "udp/raw/ephemeral")]
    [InlineData("udp", "dns", 0, "udp/dns/well-known")]
    [InlineData("", "", 0, "unknown/raw/none")]
    public void ASignatureNamesTransportProtocolAndPortClass(string transport, string protocol, long port, string expected)
    {
        var signature = ProtocolSignature.Of(transport, protocol, port);

        Assert.Equal(expected, signature.ToString());
        Assert.True(ProtocolSignature.TryParse(expected, out var parsed));
        Assert.Equal(signature, parsed);
    }

    [Fact]
    public void ASlashInAProtocolNameCannotBreakTheTextForm()
    {
        var signature = ProtocolSignature.Of("tcp", "http/2", 443);

        Assert.Equal("tcp/http_2/well-known", signature.ToString());
    }
}
