using Microsoft.Extensions.Options;

namespace Vigil.Console;

/// <summary>Rejects console settings that cannot work, naming the configuration key.</summary>
internal sealed class ConsoleOptionsValidation : IValidateOptions<ConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleOptions options)
    {
        var problems = new List<string>();
        if (options.BaselineUrl.Length > 0 && !Uri.TryCreate(options.BaselineUrl, UriKind.Absolute, out _))
        {
            problems.Add($"{ConsoleOptions.Section}:{nameof(ConsoleOptions.BaselineUrl)} '{options.BaselineUrl}' is not an absolute URL.");
        }

        foreach (var (key, path) in new[]
        {
            (nameof(ConsoleOptions.BaselineCaCertificatePath), options.BaselineCaCertificatePath),
            (nameof(ConsoleOptions.BaselineClientCertificatePath), options.BaselineClientCertificatePath),
            (nameof(ConsoleOptions.BaselineClientKeyPath), options.BaselineClientKeyPath),
            (nameof(ConsoleOptions.BaselineTokenFile), options.BaselineTokenFile),
        })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                problems.Add($"{ConsoleOptions.Section}:{key} '{path}' does not exist.");
            }
        }

        for (var i = 0; i < options.MetricsTargets.Count; i++)
        {
            if (MetricsTarget.TryParse(options.MetricsTargets[i]) is null)
            {
                problems.Add($"{ConsoleOptions.Section}:{nameof(ConsoleOptions.MetricsTargets)}:{i} '{options.MetricsTargets[i]}' is not 'name=http://host:port/metrics' or an http URL.");
            }
        }

        if (options.MaxAlerts is < 100 or > 1_000_000)
        {
            problems.Add($"{ConsoleOptions.Section}:{nameof(ConsoleOptions.MaxAlerts)} must be between 100 and 1000000 (was {options.MaxAlerts}).");
        }

        if (options.ScrapeInterval < TimeSpan.FromMilliseconds(100) || options.StallAfter <= options.ScrapeInterval)
        {
            problems.Add($"{ConsoleOptions.Section}:{nameof(ConsoleOptions.ScrapeInterval)} must be at least 100 ms and below {ConsoleOptions.Section}:{nameof(ConsoleOptions.StallAfter)}.");
        }

        if (options.RefreshInterval < TimeSpan.FromMilliseconds(200))
        {
            problems.Add($"{ConsoleOptions.Section}:{nameof(ConsoleOptions.RefreshInterval)} must be at least 200 ms.");
        }

        if (!string.IsNullOrEmpty(options.ChangeTokenFile) && !File.Exists(options.ChangeTokenFile))
        {
            problems.Add($"{ConsoleOptions.Section}:{nameof(ConsoleOptions.ChangeTokenFile)} '{options.ChangeTokenFile}' does not exist.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
