using Vigil.Baseline.Identity;

namespace Vigil.Baseline.Learning;

/// <summary>
/// The write a batch makes for one host and image: the host's new view (applied only if the stored watermark is
/// still <paramref name="ExpectedWatermark"/>) and, with it, the batch's contribution to the fleet profile: one
/// object per image, shared by the updates of all its hosts in the batch (the sum of what they add).
/// </summary>
public sealed record HostUpdate(
    ProcessImage Image,
    string HostId,
    string ExpectedWatermark,
    Watermark NewWatermark,
    HostImageState State,
    FleetContribution Contribution);
