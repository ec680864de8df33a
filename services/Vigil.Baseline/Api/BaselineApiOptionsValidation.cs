using Microsoft.Extensions.Options;

namespace Vigil.Baseline.Api;

/// <summary>Checks the API's TLS and token files before the server binds, naming the key at fault.</summary>
public sealed class BaselineApiOptionsValidation(BaselineOptions baseline) : IValidateOptions<BaselineApiOptions>
{
    public ValidateOptionsResult Validate(string? name, BaselineApiOptions options)
    {
        var problems = Problems(options, baseline.GrpcUrl);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static IReadOnlyList<string> Problems(BaselineApiOptions options, string grpcUrl)
    {
        var problems = new List<string>();
        void Key(string key, string problem) => problems.Add($"{BaselineApiOptions.Section}:{key} {problem}");
        void Readable(string key, string? path)
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                Key(key, $"'{path}' is not a readable file.");
            }
        }

        Readable(nameof(options.CertificatePath), options.CertificatePath);
        Readable(nameof(options.KeyPath), options.KeyPath);
        Readable(nameof(options.ClientCaCertificatePath), options.ClientCaCertificatePath);
        var https = Uri.TryCreate(grpcUrl, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;
        if (options.UsesTls && !https)
        {
            Key(nameof(options.CertificatePath), $"is set, so {BaselineOptions.Section}:{nameof(BaselineOptions.GrpcUrl)} must be an https:// URL (it is '{grpcUrl}').");
        }
        else if (!options.UsesTls && https)
        {
            Key(nameof(options.CertificatePath), $"is required: {BaselineOptions.Section}:{nameof(BaselineOptions.GrpcUrl)} is https:// ('{grpcUrl}').");
        }

        if (!string.IsNullOrEmpty(options.KeyPath) && !options.UsesTls)
        {
            Key(nameof(options.KeyPath), "is set without CertificatePath.");
        }

        if (!string.IsNullOrEmpty(options.ClientCaCertificatePath) && !options.UsesTls)
        {
            Key(nameof(options.ClientCaCertificatePath), "is set without CertificatePath: client certificates need TLS.");
        }

        if (options.RequireClientCertificate && string.IsNullOrEmpty(options.ClientCaCertificatePath))
        {
            Key(nameof(options.RequireClientCertificate), "is on without ClientCaCertificatePath: name the CA client certificates must chain to.");
        }

        if (!string.IsNullOrEmpty(options.ReadTokenFile)
            && (!File.Exists(options.ReadTokenFile) || ChangeAuthorization.ReadToken(options.ReadTokenFile).Length < 16))
        {
            Key(nameof(options.ReadTokenFile), "must name a readable file holding a token of at least 16 characters.");
        }

        return problems;
    }
}
