using System.Text;
using Vigil.Messaging.Kafka;

namespace Vigil.Messaging.Kafka.IntegrationTests;

public sealed class Murmur2PartitionerTests
{
    // org.apache.kafka.common.utils.UtilsTest.testMurmur2: the Java client's reference values.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void HashEqualsTheJavaClientsMurmur2(string key, int expected) =>
        Assert.Equal(expected, Murmur2Partitioner.Hash(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void PartitionIsThePositiveHashModuloThePartitionCount()
    {
        // toPositive(-790332482) = 1357151166; 1357151166 % 50 = 16, as the Java client computes.
        Assert.Equal(16, Murmur2Partitioner.Partition("foobar", 50));
        Assert.Equal(1357151166 % 48, Murmur2Partitioner.Partition("foobar", 48));
    }

    [Fact]
    public void LongAndNonAsciiHostIdsHashTheirUtf8Bytes()
    {
        var key = new string('h', 300) + "-Mac-Ünïcode";
        Assert.Equal(Murmur2Partitioner.Partition(Encoding.UTF8.GetBytes(key), 12), Murmur2Partitioner.Partition(key, 12));
    }
}
