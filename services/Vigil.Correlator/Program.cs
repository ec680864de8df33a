using Microsoft.Extensions.Options;
using Vigil.Correlator;
using Vigil.Detection;
using Vigil.ServiceDefaults;

try
{
    await using var app = CorrelatorApp.Build(args);
    app.ValidateSettings();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is RulePackException or InvalidOperationException)
{
    // A pack that cannot run, or a missing --analytic: say exactly why and exit non-zero.
    Console.Error.WriteLine($"vigil-correlator: {e.Message}");
    Console.Error.WriteLine($"Usage: {CorrelatorApp.Usage}");
    return 2;
}
catch (OptionsValidationException e)
{
    // A setting that cannot work (a Redis user without a password...): one line naming every bad key, no stack trace.
    Console.Error.WriteLine($"vigil-correlator: configuration error: {string.Join(" ", e.Failures)}");
    return 2;
}
