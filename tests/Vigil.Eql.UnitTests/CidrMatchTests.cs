using System.Net;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Evaluation;

namespace Vigil.Eql.UnitTests;

/// <summary>cidrMatch reads addresses as .NET's IPAddress does, and the common IPv4 form without allocating.</summary>
public sealed class CidrMatchTests
{
    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("192.168.100.9")]
    [InlineData("010.0.0.1")]
    [InlineData("10.0.0.01")]
    [InlineData("1.2.3")]
    [InlineData("1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.4.")]
    [InlineData(".1.2.3")]
    [InlineData("1..2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1.2.3.1000")]
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.4 ")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("fd00::1")]
    [InlineData("")]
    [InlineData("not an address")]
    public void AnAddressReadsAsDotNetsIpAddressReadsIt(string text)
    {
        Span<byte> read = stackalloc byte[16];
        var accepted = CidrBlock.TryReadAddress(text, read, out var length);

        var expected = IPAddress.TryParse(text, out var address);
        Assert.Equal(expected, accepted);
        if (expected)
        {
            if (address!.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            Assert.Equal(address.GetAddressBytes(), read[..length].ToArray());
        }
    }

    [Fact]
    public void MatchingAnIpv4AddressAgainstBlocksAllocatesNothing()
    {
        var query = Run.Compile("network where cidrMatch(destination.ip, \"192.168.0.0/16\", \"10.0.0.0/8\")");
        TelemetryEvent[] events =
        [
            Telemetry.Event("a", 1, "network", e => e.Destination = new Endpoint { Ip = "10.1.2.3" }),
            Telemetry.Event("b", 2, "network", e => e.Destination = new Endpoint { Ip = "17.253.144.10" }),
        ];
        foreach (var e in events)
        {
            query.Matches(e);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var matched = 0;
        for (var i = 0; i < 1000; i++)
        {
            foreach (var e in events)
            {
                matched += query.Matches(e) ? 1 : 0;
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000, matched);
    }
}
