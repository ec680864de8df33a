namespace Vigil.FleetSim.Randomness;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Written out rather than using System.Random so a seed yields the
/// same fleet on every .NET version.
/// </summary>
internal sealed class DeterministicRandom
{
    private ulong s0, s1, s2, s3;

    public DeterministicRandom(ulong seed)
    {
        s0 = StableHash.Mix(seed);
        s1 = StableHash.Mix(s0);
        s2 = StableHash.Mix(s1);
        s3 = StableHash.Mix(s2);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, maxExclusive).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)Math.BigMul(NextUInt64(), (ulong)maxExclusive, out _);
    }

    /// <summary>Uniform in [min, max], both inclusive.</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    /// <summary>Uniform in [min, max], both inclusive.</summary>
    public long Between(long min, long max) => min + (long)Math.BigMul(NextUInt64(), (ulong)(max - min + 1), out _);

    /// <summary>Uniform in [min, max).</summary>
    public double Between(double min, double max) => min + (NextDouble() * (max - min));

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Exponentially distributed with the given mean (Poisson inter-arrival times).</summary>
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>Lowercase letters and digits, for random-looking file and folder names.</summary>
    public string Alphanumeric(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, this, static (span, rng) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[rng.Next(alphabet.Length)];
            }
        });
    }

    public string Hex(int length)
    {
        const string alphabet = "0123456789abcdef";
        return string.Create(length, this, static (span, rng) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[rng.Next(16)];
            }
        });
    }
}
