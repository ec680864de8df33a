namespace Vigil.FleetSim.Randomness;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Written out rather than using System.Random so a seed yields the
/// same fleet on every .NET version.
/// </summary>
internal sealed class DeterministicRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public DeterministicRandom(ulong seed)
    {
        _s0 = StableHash.Mix(seed);
        _s1 = StableHash.Mix(_s0);
        _s2 = StableHash.Mix(_s1);
        _s3 = StableHash.Mix(_s2);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
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
