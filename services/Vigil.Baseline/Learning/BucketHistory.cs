using System.Numerics;

namespace Vigil.Baseline.Learning;

/// <summary>
/// Which of a host's last <see cref="Window"/> volume buckets of an image were anomalous: bit 0 is the current bucket,
/// bit i the bucket i widths earlier. Buckets without traffic count as normal. The k-of-n persistence rule reads
/// <see cref="AnomalousCount"/>, so a single spike cannot flap an alert on and off.
/// </summary>
public readonly record struct BucketHistory(ulong Bits, int Window)
{
    private ulong Mask => Window >= 64 ? ulong.MaxValue : (1UL << Window) - 1;

    public bool CurrentAnomalous => (Bits & 1) != 0;

    public int AnomalousCount => BitOperations.PopCount(Bits & Mask);

    /// <summary>Moves <paramref name="buckets"/> buckets forward; the new current bucket starts normal.</summary>
    public BucketHistory Advance(long buckets) =>
        buckets <= 0 ? this : this with { Bits = buckets >= Window ? 0 : (Bits << (int)buckets) & Mask };

    public BucketHistory MarkCurrentAnomalous() => this with { Bits = Bits | 1 };

    /// <summary>Whether the bucket <paramref name="age"/> widths before the current one was anomalous.</summary>
    public bool IsAnomalous(int age) => age >= 0 && age < Window && ((Bits >> age) & 1) != 0;

    /// <summary>Newest first: one flag per bucket of the window.</summary>
    public IEnumerable<bool> Flags() => Enumerable.Range(0, Window).Select(IsAnomalous);
}
