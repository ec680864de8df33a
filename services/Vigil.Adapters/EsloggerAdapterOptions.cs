namespace Vigil.Adapters;

/// <summary>
/// Settings of an <see cref="EsloggerAdapter"/>. eslogger's messages name no host, so the host id comes from the
/// record key (set by whatever ships the lines: vigil-agent, or a Kafka shipper configured to key by host), and only
/// when there is none from <see cref="HostId"/> (a single-host deployment, or `vigil backtest` of one Mac's capture).
/// </summary>
public sealed record EsloggerAdapterOptions
{
    /// <summary>host.id for records without a key; null rejects such records with MissingHost.</summary>
    public string? HostId { get; init; }

    /// <summary>host.name to put on events (vigil-agent knows its own; ingest leaves it empty).</summary>
    public string? HostName { get; init; }

    /// <summary>Processes remembered per host for arguments and parents (least recently used go first).</summary>
    public int ProcessesPerHost { get; init; } = 4096;

    /// <summary>Hosts whose process tables are kept at once (least recently active go first).</summary>
    public int MaxHosts { get; init; } = 4096;
}
