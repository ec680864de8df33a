namespace Vigil.Correlator;

/// <summary>
/// The arrivals of one taken <see cref="HeldState"/>, oldest first: a view of the buffer <see cref="HeldHosts"/> filled
/// while taking it, valid until its next take (a release handles what it took before taking again).
/// </summary>
internal readonly struct HeldArrivals(List<HeldArrival> buffer, int start, int count)
{
    public int Count => count;

    public HeldArrival this[int index] =>
        (uint)index < (uint)count ? buffer[start + index] : throw new ArgumentOutOfRangeException(nameof(index), index, "Past the state's arrivals.");
}
