using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// Join keys decide which events join one sequence: equal components must make equal keys (and equal hash codes, as
/// keys index the state's partials), whatever their count and however the key was made, and any difference must not.
/// </summary>
public sealed class JoinKeyTests
{
    public static TheoryData<string?[]> Components => new()
    {
        new string?[] { "host-1" },
        new string?[] { "host-1", "proc-1" },
        new string?[] { "host-1", null },
        new string?[] { null, "proc-1" },
        new string?[] { "host-1", "proc-1", "/tmp/x" },
        new string?[] { "host-1", "proc-1", "/tmp/x", null },
    };

    [Theory]
    [MemberData(nameof(Components))]
    public void KeysOfEqualComponentsAreEqualAndHashEqualHoweverTheyWereMade(string?[] components)
    {
        var fromList = new JoinKey(components.ToList());
        var fromArray = new JoinKey((string?[])components.Clone());
        var made = components.Length switch
        {
            1 => new JoinKey(components[0]),
            2 => new JoinKey(components[0], components[1]),
            _ => new JoinKey(components.ToArray()),
        };

        foreach (var other in new[] { fromArray, made })
        {
            Assert.True(fromList.Equals(other));
            Assert.True(other.Equals(fromList));
            Assert.Equal(fromList.GetHashCode(), other.GetHashCode());
        }

        Assert.Equal(components, made.Values);
        Assert.Equal(components.Length, made.Count);
        Assert.Equal(fromList.ToString(), made.ToString());
    }

    [Fact]
    public void KeysThatDifferInAnyComponentTheirOrderOrTheirCountAreNotEqual()
    {
        JoinKey[] keys =
        [
            new("host-1"),
            new("host-2"),
            new("host-1", "proc-1"),
            new("proc-1", "host-1"),
            new("host-1", "proc-2"),
            new("host-1", null),
            new("host-1", string.Empty),
            new(null, "host-1"),
            new((string?[])["host-1", "proc-1", "/tmp/x"]),
            new((string?[])["host-1", "proc-1", "/tmp/y"]),
            new((string?[])["host-1", "proc-1", null]),
            new((string?[])[]),
        ];

        for (var i = 0; i < keys.Length; i++)
        {
            for (var j = 0; j < keys.Length; j++)
            {
                Assert.Equal(i == j, keys[i].Equals(keys[j]));
            }
        }

        Assert.Equal(keys.Length, new HashSet<JoinKey>(keys).Count);
    }

    [Fact]
    public void ComponentsAreComparedAsOrdinalText()
    {
        Assert.NotEqual(new JoinKey("Host-1", "p"), new JoinKey("host-1", "p"));
        Assert.NotEqual(new JoinKey("e\u0301"), new JoinKey("\u00e9"));
    }

    [Fact]
    public void AStepReadsEqualKeysFromEventsWithEqualKeyFields()
    {
        var query = Run.Compile("sequence by host.id, process.name [process where true] [process where true]");
        var step = query.Definition(0);
        var a = step.KeyOf(Telemetry.Process("a", 0, "curl"));
        var b = step.KeyOf(Telemetry.Process("b", 1, "curl"));
        var c = step.KeyOf(Telemetry.Process("c", 2, "wget"));
        var d = step.KeyOf(Telemetry.Process("d", 3, "curl", host: "host-2"));

        Assert.Equal(a, b);
        Assert.Equal(a!.GetHashCode(), b!.GetHashCode());
        Assert.Equal(["host-1", "curl"], a.Values);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, d);
        Assert.Equal(new JoinKey((string?[])["host-1", "curl"]), a);
    }

    [Fact]
    public void ReadingAKeyOfTwoFieldsAllocatesOneSmallObjectAndNoArray()
    {
        var query = Run.Compile("sequence by host.id, process.name [process where true] [process where true]");
        var step = query.Definition(0);
        var e = Telemetry.Process("a", 0, "curl");
        step.KeyOf(e);

        const int Keys = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Keys; i++)
        {
            step.KeyOf(e);
        }

        var perKey = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Keys;

        // The key object alone (header, two components, hash, count and its field name's slot): a string array of two
        // besides it would add 40 bytes.
        Assert.InRange(perKey, 1, 56);
    }
}
