using Microsoft.Extensions.Options;

namespace Vigil.SchemaRegistry;

/// <summary>Rejects schema-registry settings that cannot work, naming the key (SchemaRegistry:Url...), at start-up.</summary>
internal sealed class SchemaRegistryOptionsValidation : IValidateOptions<SchemaRegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, SchemaRegistryOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Url)
            && !(Uri.TryCreate(options.Url, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            errors.Add($"{SchemaRegistryOptions.Section}:{nameof(options.Url)} must be an http(s) URL such as http://schema-registry:8081, not '{options.Url}'.");
        }

        foreach (var (message, id) in options.FixedSchemaIds.Where(f => f.Value < 1))
        {
            errors.Add($"{SchemaRegistryOptions.Section}:{nameof(options.FixedSchemaIds)}:{message} must be a positive schema id, not {id}.");
        }

        if (options.DefaultSchemaId is < 1)
        {
            errors.Add($"{SchemaRegistryOptions.Section}:{nameof(options.DefaultSchemaId)} must be a positive schema id.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
