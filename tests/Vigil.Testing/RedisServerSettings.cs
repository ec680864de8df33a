namespace Vigil.Testing;

/// <summary>How a <see cref="RedisServer"/> is started.</summary>
public sealed record RedisServerSettings
{
    /// <summary>Extra redis-server arguments, e.g. an ACL user: ["--user", "vigil", "on", "&gt;secret", "~*", "+@all"].</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Listen for TLS only, with these certificates.</summary>
    public RedisServerTls? Tls { get; init; }

    /// <summary>Start as a Redis Cluster node (on a second free port for the cluster bus).</summary>
    public bool ClusterEnabled { get; init; }

    /// <summary>Working directory for data and the log; a new temporary directory (deleted on dispose) when null.</summary>
    public string? Directory { get; init; }
}
