using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.ServiceDefaults;

namespace Vigil.Ingest;

/// <summary>Builds the ingest web application from its command line: what Program runs and what tests host.</summary>
public static class IngestApp
{
    public const string Usage = "vigil-ingest [--urls http://127.0.0.1:7420] [--Ingest:<setting>=<value>] [--Kafka:<setting>=<value>]";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults(args);
        builder.AddIngest();
        var app = builder.Build();
        app.MapServiceDefaults();
        var sources = app.Services.GetRequiredService<RawSources>();
        app.Logger.LogInformation(
            "Ingest: {Sources} to {Telemetry}", string.Join(", ", sources.All.Select(s => $"{s.Topic} ({s.Format})")), sources.TelemetryTopic);
        return app;
    }
}
