using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Correlator;
using Vigil.Detection;
using Vigil.ServiceDefaults;

// vigil-correlator --analytic an0167 [--rules <folder>] [--Kafka:...] [--Redis:...]
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
await app.RunAsync();
