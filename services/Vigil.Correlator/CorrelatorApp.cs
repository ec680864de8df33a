using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Detection;
using Vigil.ServiceDefaults;

namespace Vigil.Correlator;

/// <summary>Builds the correlator web application from its command line: what Program runs and what tests host.</summary>
public static class CorrelatorApp
{
    public const string Usage = "vigil-correlator --analytic <pack> [--rules <folder>] [--urls http://127.0.0.1:8080] [--Kafka:<setting>=<value>] [--Redis:<setting>=<value>]";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults(args);
        builder.Configuration.AddCommandLine(args, CorrelatorServiceCollectionExtensions.Switches.ToDictionary());
        builder.AddCorrelator();
        var app = builder.Build();
        app.MapServiceDefaults();
        var pack = app.Services.GetRequiredService<AnalyticPack>();
        app.Logger.LogInformation(
            "Correlator for {Analytic}: {Count} rule(s) from {Directory}: {Rules}",
            pack.Analytic, pack.Rules.Count, pack.Directory, string.Join(", ", pack.Rules.Select(r => r.Rule.Name)));
        return app;
    }
}
