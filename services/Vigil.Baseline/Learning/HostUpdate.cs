using Vigil.Baseline.Identity;

namespace Vigil.Baseline.Learning;

/// <summary>
/// The write a batch makes for one host and image: the host's new view (applied only if the watermark Redis holds is
/// still the one the view was read with or last written with, <see cref="HostImageState.StoredWatermark"/>) and, with
/// it, the batch's contribution to the fleet profile: one object per image, shared by the updates of all its hosts in
/// the batch (the sum of what they add). An object, not a value: the store groups and copies a batch's updates by
/// image, and copies of a reference cost less than copies of these six fields.
/// </summary>
public sealed record HostUpdate(
    ProcessImage Image,
    string HostId,
    Watermark NewWatermark,
    HostImageState State,
    FleetContribution Contribution)
{
    /// <summary>
    /// The watermark text Redis held for the view when the batch read it (<see cref="HostImageState.StoredText"/> at
    /// evaluation), or null when this process wrote it last (then <see cref="ExpectedMark"/> is it). Taken when the
    /// batch is evaluated, so the compare-and-set checks what the batch read, even if another call wrote the view since.
    /// </summary>
    internal string? ExpectedText { get; init; }

    /// <summary>The mark this process last wrote for the view, when <see cref="ExpectedText"/> is null.</summary>
    internal Watermark ExpectedMark { get; init; } = Watermark.None;
}
