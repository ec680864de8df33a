using Vigil.FleetSim.Randomness;

namespace Vigil.FleetSim.Engine;

/// <summary>
/// Delays each host's process, file and network events by a fixed lag per (host, source), up to the configured
/// maximum, the way an agent's sensors report with different latencies: each source stays in order, but across
/// sources a host's events leave out of timestamp order by up to that maximum.
/// </summary>
internal sealed class SourceSkew(ulong seed, TimeSpan maxSkew)
{
    private readonly long maxNanos = maxSkew.Ticks * 100;
    private readonly PriorityQueue<GeneratedEvent, (long Due, long Order)> waiting = new();
    private long order;

    public void Add(GeneratedEvent generated) =>
        waiting.Enqueue(generated, (generated.Event.Timestamp + Lag(generated), order++));

    /// <summary>
    /// The next event due by <paramref name="now"/>, the timestamp of the newest generated event: every later
    /// event has a timestamp, hence a due time, at or after it, so releasing in due order up to it is final.
    /// </summary>
    public bool TryRelease(long now, out GeneratedEvent released, out long due)
    {
        if (waiting.TryPeek(out released, out var key) && key.Due <= now)
        {
            waiting.Dequeue();
            due = key.Due;
            return true;
        }

        due = 0;
        return false;
    }

    /// <summary>Drains what is left at the end of a run, in due order.</summary>
    public bool TryReleaseAny(out GeneratedEvent released, out long due)
    {
        var any = waiting.TryDequeue(out released, out var key);
        due = key.Due;
        return any;
    }

    private long Lag(GeneratedEvent generated)
    {
        if (maxNanos == 0)
        {
            return 0;
        }

        var source = generated.Event.Event.Category.FirstOrDefault() switch
        {
            "file" => 1UL,
            "network" => 2UL,
            _ => 0UL,
        };
        return (long)(StableHash.Of(seed, 0x5CE3, (ulong)generated.HostIndex, source) % (ulong)(maxNanos + 1));
    }
}
