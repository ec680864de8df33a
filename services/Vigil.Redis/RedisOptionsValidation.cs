using Microsoft.Extensions.Options;

namespace Vigil.Redis;

/// <summary>Reports <see cref="RedisOptions.Validate"/> errors through the options pipeline (and ValidateOnStart).</summary>
internal sealed class RedisOptionsValidation : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
