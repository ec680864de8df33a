namespace Vigil.FleetSim.UnitTests.Support;

/// <summary>
/// A wall clock that jumps forward instead of sleeping: a timer's due time passes at once, so live pacing runs
/// instantly while everything it waited for is still visible on this clock.
/// </summary>
internal sealed class SteppingTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private long elapsedTicks;

    public TimeSpan TotalWaited { get; private set; }

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return start + TimeSpan.FromTicks(elapsedTicks);
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (gate)
        {
            return elapsedTicks;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (gate)
            {
                elapsedTicks += dueTime.Ticks;
                TotalWaited += dueTime;
            }

            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }

        return new InertTimer();
    }

    private sealed class InertTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
