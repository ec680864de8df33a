using Vigil.Correlator.UnitTests.Support;
using Vigil.Detection;
using Vigil.Eql.Sequences;
using Vigil.Messaging;

namespace Vigil.Correlator.UnitTests;

/// <summary>
/// The held-host bookkeeping on its own (the route pack's 2 s lateness): each state is released through the positions
/// of its own arrivals once they are the lateness old, keeps the rest, and is put back whole when its release failed,
/// while states come and go and reuse what earlier states left.
/// </summary>
public sealed class HeldHostsTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly TopicPartitionRef Partition0 = new("telemetry", 0);

    private readonly CompiledRule rule = RoutePack.Load().Sequence();

    [Fact]
    public void StatesHeldAndReleasedInTurnsAreEachReleasedThroughTheirOwnArrivalsAndKeepTheRest()
    {
        var held = new HeldHosts();
        for (var i = 0; i < 50; i++)
        {
            Assert.NotNull(held.Update(Key(i), Partition0, holds: true, Position(i, 1), At(0)));
            Assert.Null(held.Update(Key(i), Partition0, holds: true, Position(i, 2), At(1)));
        }

        // At 2 s the arrivals of 0 s are the lateness old: each host goes through its first position and keeps its second.
        var first = held.TakeDue(At(2));
        Assert.Equal(50, first.Count);
        Assert.All(first, s => Assert.Equal(((EventPosition?)Position(s.Key.HostId, 1), false), (s.Through, s.Quiet)));
        foreach (var state in first)
        {
            held.Keep(state, At(2));
        }

        Assert.Equal(At(3), held.NextDue);

        // New hosts arrive meanwhile, in what the first release freed.
        for (var i = 50; i < 100; i++)
        {
            held.Update(Key(i), Partition0, holds: true, Position(i, 1), At(2.5));
        }

        var second = held.TakeDue(At(3)).Select(s => (s.Key.HostId, s.Through)).ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => ($"mac-{i}", (EventPosition?)Position(i, 2))).OrderBy(x => x.Item1, StringComparer.Ordinal), second.OrderBy(x => x.HostId, StringComparer.Ordinal));
        Assert.Equal(At(4.5), held.NextDue);

        var third = held.TakeDue(At(4.5)).Select(s => (s.Key.HostId, s.Through)).ToList();
        Assert.Equal(Enumerable.Range(50, 50).Select(i => ($"mac-{i}", (EventPosition?)Position(i, 1))).OrderBy(x => x.Item1, StringComparer.Ordinal), third.OrderBy(x => x.HostId, StringComparer.Ordinal));
        Assert.Equal(0, held.Count);
        Assert.Null(held.NextDue);
        Assert.Empty(held.TakeDue(At(60)));
    }

    [Fact]
    public void AStateWhoseReleaseFailedIsPutBackWithEveryArrivalAndADroppedStateIsNeverDue()
    {
        var held = new HeldHosts();
        held.Update(Key(1), Partition0, holds: true, Position(1, 1), At(0));
        held.Update(Key(1), Partition0, holds: true, Position(1, 2), At(1));
        held.Update(Key(2), Partition0, holds: true, Position(2, 1), At(0));
        Assert.Equal(new HeldChange(0, Key(2), false), held.Update(Key(2), Partition0, holds: false, null, At(0.5)));

        var taken = held.TakeDue(At(2));
        Assert.Equal(Position(1, 1), Assert.Single(taken).Through);
        held.Restore(taken);

        Assert.Equal(At(2), held.NextDue);
        var again = Assert.Single(held.TakeDue(At(3)));
        Assert.Equal(("mac-1", (EventPosition?)Position(1, 2), true), (again.Key.HostId, again.Through, again.Quiet));
    }

    [Fact]
    public void AStateAFailedReleaseHadAlreadyKeptIsPutBackWithTheArrivalsThatWereDue()
    {
        var held = new HeldHosts();
        held.Update(Key(1), Partition0, holds: true, Position(1, 1), At(0));
        held.Update(Key(1), Partition0, holds: true, Position(1, 2), At(1));
        held.Update(Key(2), Partition0, holds: true, Position(2, 1), At(0));

        // The release keeps what was not yet due (mac-1's arrival of 1 s; mac-2 none), then its write fails.
        var taken = held.TakeDue(At(2));
        Assert.Equal(2, taken.Count);
        foreach (var state in taken)
        {
            held.Keep(state, At(2));
        }

        held.Restore(taken);

        // Due again at once, through the same positions: not at 3 s (mac-1's next arrival) or 4 s (mac-2 kept empty).
        Assert.Equal(2, held.Count);
        Assert.Equal(At(2), held.NextDue);
        var again = held.TakeDue(At(2)).OrderBy(s => s.Key.HostId, StringComparer.Ordinal).ToList();
        Assert.Equal(
            [("mac-1", (EventPosition?)Position(1, 1), 1), ("mac-2", (EventPosition?)Position(2, 1), 1)],
            again.Select(s => (s.Key.HostId, s.Through, s.Arrivals.Count)).ToList());

        // And the arrival that was not due still follows at its own time.
        foreach (var state in again)
        {
            held.Keep(state, At(2));
        }

        Assert.Equal(At(3), held.NextDue);
        Assert.Equal(Position(1, 2), Assert.Single(held.TakeDue(At(3)), s => s.Key.HostId == "mac-1").Through);
    }

    [Fact]
    public void AStateTakenWithArrivalsNotYetDueIsTakenWithTheDueOnesAndIsDueAgainWhenTheNextIsUnlessItsReleaseDropsIt()
    {
        var held = new HeldHosts();
        for (var i = 0; i < 8; i++)
        {
            // A host that sends in every batch: an arrival every half second.
            held.Update(Key(1), Partition0, holds: true, Position(1, i + 1), At(i * 0.5));
            held.Update(Key(2), Partition0, holds: true, Position(2, i + 1), At(i * 0.5));
        }

        // At 2.6 s the arrivals of 0 s and 0.5 s are due: each state goes through its second position, taken with those two.
        var taken = held.TakeDue(At(2.6));
        Assert.Equal(
            [("mac-1", (EventPosition?)Position(1, 2), 2, false), ("mac-2", (EventPosition?)Position(2, 2), 2, false)],
            taken.Select(s => (s.Key.HostId, s.Through, s.Arrivals.Count, s.Quiet)).OrderBy(s => s.HostId, StringComparer.Ordinal).ToList());

        // The rest stays as it was: due when the arrival of 1 s is, whether or not the release keeps the state.
        held.Keep(taken.Single(s => s.Key.HostId == "mac-1"), At(2.6));
        held.Drop(Key(2));
        Assert.Equal(1, held.Count);
        Assert.Equal(At(3), held.NextDue);
        Assert.Equal(("mac-1", (EventPosition?)Position(1, 3)), held.TakeDue(At(3)).Select(s => (s.Key.HostId, s.Through)).Single());

        // Quiet at last: taken with every arrival left, through the newest.
        var last = Assert.Single(held.TakeDue(At(5.5)));
        Assert.Equal(((EventPosition?)Position(1, 8), true, 5), (last.Through, last.Quiet, last.Arrivals.Count));
        Assert.Equal(0, held.Count);
        Assert.Null(held.NextDue);
    }

    private static DateTimeOffset At(double seconds) => Start + TimeSpan.FromSeconds(seconds);

    private static EventPosition Position(int host, int n) => Position($"mac-{host}", n);

    private static EventPosition Position(string host, int n) => new(n * 1_000_000_000L, n, $"{host}-e{n}");

    private StateKey Key(int host) => new(rule, $"mac-{host}");
}
