using System.Net;
using StackExchange.Redis;

namespace Vigil.Redis;

/// <summary>
/// The outcome of the client's latest interactive connection attempt per endpoint, from
/// <see cref="ConfigurationOptions.ConnectionAttemptCompleted"/>. That event reports every attempt from the very first
/// one (it is subscribed on the configuration, before the multiplexer exists), including the failed reconnects that
/// <c>ConnectionFailed</c> stays silent about, and each report carries the stage it ended at and the server's own
/// reply. The failure the client stores for a waiting command is different: it is written once, and when the first
/// handshake outlasts the connect timeout it is "unable to connect" even though every later handshake is refused for
/// a wrong password. A probe asks here instead, so its verdict does not depend on which of those came first.
/// </summary>
internal sealed class HandshakeVerdicts
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, HandshakeVerdict> latest = new(StringComparer.Ordinal);
    private TaskCompletionSource recorded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Record(ConnectionAttemptCompletedEventArgs attempt)
    {
        if (attempt.ConnectionType != ConnectionType.Interactive || attempt.EndPoint is null)
        {
            return;
        }

        // The client abandons an attempt that outlasts ConnectTimeout and starts another: that says nothing about
        // the server, so it must not hide the verdict of an attempt that got an answer.
        if (!attempt.IsSuccess && attempt.FailureType == ConnectionFailureType.ConnectionDisposed)
        {
            return;
        }

        TaskCompletionSource wake;
        lock (gate)
        {
            var key = EndPointCollection.ToString(attempt.EndPoint);

            // Handlers may run out of order; the attempt's sequence number is what orders them.
            if (latest.TryGetValue(key, out var previous) && previous.Sequence > attempt.SequenceNumber)
            {
                return;
            }

            latest[key] = new HandshakeVerdict(attempt.SequenceNumber, attempt.IsSuccess, attempt.Stage, attempt.FailureType, attempt.Exception);
            wake = recorded;
            recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.TrySetResult();
    }

    /// <summary>
    /// The failed verdict of the latest attempt at <paramref name="endPoint"/>. When no attempt has finished yet, or
    /// the latest one succeeded (the connection dropped since), waits up to <paramref name="wait"/> for the attempt in
    /// flight; null if none ends by then.
    /// </summary>
    public async Task<HandshakeVerdict?> LatestFailureAsync(EndPoint endPoint, TimeSpan wait, CancellationToken cancellationToken)
    {
        var key = EndPointCollection.ToString(endPoint);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (latest.TryGetValue(key, out var verdict) && !verdict.IsSuccess)
                {
                    return verdict;
                }

                next = recorded.Task;
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            try
            {
                await next.WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }
}
