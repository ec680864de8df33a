using Microsoft.Extensions.Options;

namespace Vigil.Correlator;

/// <summary>Rejects correlator settings that cannot work, naming the key (Correlator:Lateness...), at start-up.</summary>
internal sealed class CorrelatorOptionsValidation : IValidateOptions<CorrelatorOptions>
{
    public ValidateOptionsResult Validate(string? name, CorrelatorOptions options)
    {
        var errors = new List<string>();
        void Require(bool ok, string key, string problem)
        {
            if (!ok)
            {
                errors.Add($"{CorrelatorOptions.Section}:{key} {problem}");
            }
        }

        Require(!string.IsNullOrWhiteSpace(options.Analytic), nameof(options.Analytic), "is required (--analytic <pack>, e.g. an0167).");
        Require(options.Lateness >= TimeSpan.Zero, nameof(options.Lateness), "must not be negative.");
        Require(options.AlertIdRetention > TimeSpan.Zero, nameof(options.AlertIdRetention), "must be positive.");
        Require(options.NewTermsPerHash >= 1, nameof(options.NewTermsPerHash), "must be at least 1.");
        Require(options.AssignmentPreloadLimit is >= 0 and <= 1_000_000, nameof(options.AssignmentPreloadLimit), "must be between 0 and 1000000.");
        Require(options.QuietHostScanInterval > TimeSpan.Zero, nameof(options.QuietHostScanInterval), "must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
