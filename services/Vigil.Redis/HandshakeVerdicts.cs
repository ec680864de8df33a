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

        Record(attempt.EndPoint, new HandshakeVerdict(attempt.SequenceNumber, attempt.IsSuccess, attempt.Stage, attempt.FailureType, attempt.Exception));
    }

    /// <summary>Records how the attempt numbered <see cref="HandshakeVerdict.Sequence"/> at <paramref name="endPoint"/> ended.</summary>
    internal void Record(EndPoint endPoint, HandshakeVerdict verdict)
    {
        TaskCompletionSource wake;
        lock (gate)
        {
            var key = EndPointCollection.ToString(endPoint);

            // Handlers may run out of order; the attempt's sequence number is what orders them. An attempt the client
            // abandoned (it outlasted ConnectTimeout) is kept too: it is the newest word on the server, and an older
            // refusal must not outlive it as the reason a server that stopped answering is down.
            if (latest.TryGetValue(key, out var previous) && previous.Sequence > verdict.Sequence)
            {
                return;
            }

            latest[key] = verdict;
            wake = recorded;
            recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.TrySetResult();
    }

    /// <summary>
    /// The failed verdict of the latest attempt at <paramref name="endPoint"/>. When no attempt has finished yet, the
    /// latest one succeeded (the connection dropped since), or the latest was abandoned without an answer, waits up to
    /// <paramref name="wait"/> for the attempt in flight; null if none gets an answer by then, so the caller falls back
    /// to its own failure rather than an older attempt's.
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
                if (latest.TryGetValue(key, out var verdict) && !verdict.IsSuccess && !verdict.IsAbandoned)
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
