using System.Net;
using StackExchange.Redis;

namespace Vigil.Redis.IntegrationTests;

/// <summary>
/// Which connection attempt's verdict a failed probe reports, checked on the bookkeeping alone (no server): the
/// newest attempt decides, and one the client abandoned without an answer leaves the probe its own failure.
/// </summary>
public sealed class HandshakeVerdictsTests
{
    private static readonly EndPoint Server = new IPEndPoint(IPAddress.Loopback, 6390);

    private static HandshakeVerdict Refused(long sequence) =>
        new(sequence, false, ConnectionAttemptStage.Handshake, ConnectionFailureType.AuthenticationFailure, new InvalidOperationException("WRONGPASS invalid username-password pair or user is disabled."));

    private static HandshakeVerdict Abandoned(long sequence) =>
        new(sequence, false, ConnectionAttemptStage.Connect, ConnectionFailureType.ConnectionDisposed, null);

    [Fact]
    public async Task AnOldRefusalIsNotTheReasonOnceTheServerStopsAnsweringTheNewestAttempt()
    {
        var verdicts = new HandshakeVerdicts();
        verdicts.Record(Server, Refused(1));
        verdicts.Record(Server, Abandoned(2));

        var verdict = await verdicts.LatestFailureAsync(Server, TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);

        Assert.Null(verdict);
    }

    [Fact]
    public async Task ARefusalAnsweredAfterAnAbandonedFirstHandshakeIsTheReason()
    {
        var verdicts = new HandshakeVerdicts();
        verdicts.Record(Server, Abandoned(1));
        verdicts.Record(Server, Refused(2));

        var verdict = await verdicts.LatestFailureAsync(Server, TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);

        Assert.Equal((2L, ConnectionFailureType.AuthenticationFailure), (verdict?.Sequence, verdict?.FailureType));
    }

    [Fact]
    public async Task AnAbandonedAttemptReportedLateDoesNotHideANewerRefusal()
    {
        var verdicts = new HandshakeVerdicts();
        verdicts.Record(Server, Refused(3));
        verdicts.Record(Server, Abandoned(2));

        var verdict = await verdicts.LatestFailureAsync(Server, TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);

        Assert.Equal(3L, verdict?.Sequence);
    }

    [Fact]
    public async Task AProbeBehindAnAbandonedAttemptWaitsForTheAttemptInFlight()
    {
        var verdicts = new HandshakeVerdicts();
        verdicts.Record(Server, Abandoned(1));

        var waiting = verdicts.LatestFailureAsync(Server, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        verdicts.Record(Server, Refused(2));

        Assert.Equal(2L, (await waiting)?.Sequence);
    }
}
