using Microsoft.Extensions.Options;

namespace Vigil.DevCluster;

/// <summary>Rejects dev-broker settings that cannot work, naming the key (DevCluster:BasePort...), at start-up.</summary>
internal sealed class DevClusterOptionsValidation : IValidateOptions<DevClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, DevClusterOptions options)
    {
        var errors = new List<string>();
        void Require(bool ok, string key, string problem)
        {
            if (!ok)
            {
                errors.Add($"{DevClusterOptions.Section}:{key} {problem}");
            }
        }

        Require(options.Brokers is >= 1 and <= 16, nameof(options.Brokers), "must be between 1 and 16.");
        Require(options.BasePort >= 1 && options.BasePort + options.Brokers - 1 <= 65535, nameof(options.BasePort), "must leave a port for every broker (BasePort + Brokers - 1 <= 65535).");
        Require(!string.IsNullOrWhiteSpace(options.BootstrapFile), nameof(options.BootstrapFile), "is required.");
        Require(
            string.IsNullOrWhiteSpace(options.ControlUrl) || (Uri.TryCreate(options.ControlUrl, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp && url.IsLoopback),
            nameof(options.ControlUrl), "must be an http:// URL on loopback (it can take brokers down), or empty to turn the endpoint off.");
        Require(string.IsNullOrWhiteSpace(options.Manifest) || File.Exists(options.Manifest), nameof(options.Manifest), $"names a file that does not exist: {options.Manifest}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
