namespace Vigil.DevCluster;

/// <summary>Settings of the dev broker (configuration section "DevCluster"; command line --DevCluster:BasePort=9092 etc.).</summary>
public sealed class DevClusterOptions
{
    public const string Section = "DevCluster";

    public int Brokers { get; set; } = 3;

    /// <summary>Broker i listens on BasePort + i - 1 on 127.0.0.1.</summary>
    public int BasePort { get; set; } = 9092;

    /// <summary>Topic manifest path; default: the nearest deploy/topics.json.</summary>
    public string? Manifest { get; set; }

    /// <summary>Where the bootstrap address is written for other processes to read.</summary>
    public string BootstrapFile { get; set; } = ".vigil/bootstrap";

    /// <summary>
    /// Loopback HTTP address of the fault-injection control endpoint (POST /brokers/{id}/down|up,
    /// POST /partitions/{topic}/{partition}/leader/{broker}); empty turns it off.
    /// </summary>
    public string ControlUrl { get; set; } = "http://127.0.0.1:9190";
}
