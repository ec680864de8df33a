using StackExchange.Redis;

namespace Vigil.Redis;

/// <summary>How one connection attempt of the client ended: the stage it reached and, when it failed, why.</summary>
internal sealed record HandshakeVerdict(long Sequence, bool IsSuccess, ConnectionAttemptStage Stage, ConnectionFailureType FailureType, Exception? Exception)
{
    /// <summary>The client gave up on the attempt (it outlasted ConnectTimeout): it says nothing about why the server is down.</summary>
    public bool IsAbandoned => !IsSuccess && FailureType == ConnectionFailureType.ConnectionDisposed;
}
