using Microsoft.Extensions.Options;

namespace Vigil.Baseline;

/// <summary>Reports <see cref="BaselineOptions.Validate"/> problems, each naming its key, through the options pipeline (ValidateOnStart).</summary>
internal sealed class BaselineOptionsValidation : IValidateOptions<BaselineOptions>
{
    public ValidateOptionsResult Validate(string? name, BaselineOptions options) =>
        options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
