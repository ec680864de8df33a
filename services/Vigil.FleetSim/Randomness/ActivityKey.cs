namespace Vigil.FleetSim.Randomness;

/// <summary>Names one activity of a run: which stream started it and its serial number there; ids and random streams derive from it.</summary>
internal readonly record struct ActivityKey(ulong Value)
{
    private const ulong StreamShift = 56;

    public static ActivityKey Background(long serial) => new(((ulong)ActivityStream.Background << (int)StreamShift) | (ulong)serial);

    public static ActivityKey ScheduledScenario(long serial) => new(((ulong)ActivityStream.ScheduledScenario << (int)StreamShift) | (ulong)serial);

    public static ActivityKey OnDemandScenario(long serial) => new(((ulong)ActivityStream.OnDemandScenario << (int)StreamShift) | (ulong)serial);

    public static ActivityKey ForResidents(int hostIndex) => new(((ulong)ActivityStream.Residents << (int)StreamShift) | (uint)hostIndex);

    private enum ActivityStream : byte
    {
        Background = 1,
        ScheduledScenario = 2,
        OnDemandScenario = 3,
        Residents = 4,
    }
}
