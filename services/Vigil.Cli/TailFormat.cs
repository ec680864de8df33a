namespace Vigil.Cli;

/// <summary>How tail commands print: readable records, ids only, a rolling summary (telemetry) or ECS JSON (alerts).</summary>
public enum TailFormat
{
    Events,
    Ids,
    Summary,

    /// <summary>ECS JSON, one document per line.</summary>
    Json,

    /// <summary>Elastic Security alert documents (kibana.alert.* field names), one per line, for Elasticsearch.</summary>
    Ecs,
}
