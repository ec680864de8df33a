using Vigil.Ingest;

try
{
    await using var app = IngestApp.Build(args);
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
