namespace Vigil.Ingest;

/// <summary>Settings of the ingest service (configuration section "Ingest").</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>
    /// Distinct unmapped field names counted by name per format; names beyond it are counted under "_other", so a
    /// source that invents field names cannot grow the metric without bound.
    /// </summary>
    public int MaxUnmappedFieldNames { get; set; } = 200;
}
