namespace Vigil.Baseline.Storage;

/// <summary>Some host updates of a batch were refused by their watermark check; the consume loop retries the batch.</summary>
public sealed class BaselineWriteConflictException(int conflicts)
    : Exception($"{conflicts} host view(s) changed while the batch was evaluated; retrying the batch.")
{
    public int Conflicts { get; } = conflicts;
}
