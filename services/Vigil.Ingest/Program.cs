using Microsoft.Extensions.Options;
using Vigil.Ingest;
using Vigil.ServiceDefaults;

try
{
    await using var app = IngestApp.Build(args);
    app.ValidateSettings();
    await app.RunAsync();
    return 0;
}
catch (InvalidOperationException e)
{
    // A raw topic whose format has no adapter, or a bad setting: say exactly why and exit non-zero.
    Console.Error.WriteLine($"vigil-ingest: {e.Message}");
    Console.Error.WriteLine($"Usage: {IngestApp.Usage}");
    return 2;
}
catch (OptionsValidationException e)
{
    // A setting that cannot work: one line naming every bad key, no stack trace.
    Console.Error.WriteLine($"vigil-ingest: configuration error: {string.Join(" ", e.Failures)}");
    return 2;
}
