using Microsoft.Extensions.Options;

namespace Vigil.Ingest;

/// <summary>Rejects ingest settings that cannot work, naming the key.</summary>
internal sealed class IngestOptionsValidation : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options) =>
        options.MaxUnmappedFieldNames is < 1 or > 10_000
            ? ValidateOptionsResult.Fail($"{IngestOptions.Section}:{nameof(IngestOptions.MaxUnmappedFieldNames)} must be between 1 and 10000 (it is {options.MaxUnmappedFieldNames}).")
            : ValidateOptionsResult.Success;
}
