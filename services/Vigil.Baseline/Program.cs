using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vigil.Baseline.Api;
using Vigil.Baseline;
using Vigil.ServiceDefaults;

// vigil-baseline [--urls http://127.0.0.1:7410] [--grpc-url http://127.0.0.1:7411] [--Baseline:...] [--Kafka:...] [--Redis:...]
try
{
    await using var app = BaselineServiceCollectionExtensions.BuildBaseline(args);
    app.ValidateSettings();
    var options = app.Services.GetRequiredService<BaselineOptions>();
    app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
        "Baseline for AN1227: gRPC on {Grpc}; profiles mature after {Observations} observations over {Age}; {Width} buckets, alerts at {Sigma}σ in {K} of {N} buckets",
        app.Services.GetRequiredService<BaselineGrpcEndpoint>().Address, options.MinObservations, options.MinAge, options.BucketWidth,
        options.VolumeSigma, options.PersistenceBuckets, options.PersistenceWindow));
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    // A setting that cannot work (a Redis user without a password...): one line naming every bad key, no stack trace.
    Console.Error.WriteLine($"vigil-baseline: configuration error: {string.Join(" ", e.Failures)}");
    return 2;
}
