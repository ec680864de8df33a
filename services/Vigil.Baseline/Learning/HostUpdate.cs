using Vigil.Baseline.Identity;

namespace Vigil.Baseline.Learning;

/// <summary>
/// The write a batch makes for one host and image: the host's new view (applied only if the watermark Redis holds is
/// still the one the view was read with or last written with, <see cref="HostImageState.StoredWatermark"/>) and, with
/// it, the batch's contribution to the fleet profile: one object per image, shared by the updates of all its hosts in
/// the batch (the sum of what they add). An object, not a value: the store groups and copies a batch's updates by
/// image, and copies of a reference cost less than copies of these six fields. The handler's evaluations reuse a
/// batch's update objects for the next batch (<see cref="DetectorScratch.RentUpdate"/>), once the batch is committed
/// (<see cref="DetectorScratch.ForgetUpdates"/>).
/// </summary>
public sealed class HostUpdate(
    ProcessImage image,
    string hostId,
    Watermark newWatermark,
    HostImageState state,
    FleetContribution contribution)
{
    public ProcessImage Image { get; private set; } = image;

    public string HostId { get; private set; } = hostId;

    public Watermark NewWatermark { get; private set; } = newWatermark;

    public HostImageState State { get; private set; } = state;

    public FleetContribution Contribution { get; private set; } = contribution;

    /// <summary>
    /// The watermark text Redis held for the view when the batch read it (<see cref="HostImageState.StoredText"/> at
    /// evaluation), or null when this process wrote it last (then <see cref="ExpectedMark"/> is it). Taken when the
    /// batch is evaluated, so the compare-and-set checks what the batch read, even if another call wrote the view since.
    /// </summary>
    internal string? ExpectedText { get; set; }

    /// <summary>The mark this process last wrote for the view, when <see cref="ExpectedText"/> is null.</summary>
    internal Watermark ExpectedMark { get; set; } = Watermark.None;

    /// <summary>This object made over as a new batch's update (see <see cref="DetectorScratch.RentUpdate"/>).</summary>
    internal HostUpdate Reuse(ProcessImage image, string hostId, Watermark newWatermark, HostImageState state, FleetContribution contribution, string? expectedText, Watermark expectedMark)
    {
        Image = image;
        HostId = hostId;
        NewWatermark = newWatermark;
        State = state;
        Contribution = contribution;
        ExpectedText = expectedText;
        ExpectedMark = expectedMark;
        return this;
    }

    /// <summary>Lets go of what this update points to, once its batch is committed: it is made over before it is read again.</summary>
    internal void Forget()
    {
        Image = null!;
        HostId = null!;
        State = null!;
        Contribution = null!;
        ExpectedText = null;
    }
}
