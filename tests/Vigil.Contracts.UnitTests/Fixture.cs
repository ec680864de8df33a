using System.Text.Json;
using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.UnitTests;

/// <summary>Reads the fixture documents next to the tests (one pretty-printed JSON document per file).</summary>
internal static class Fixture
{
    public static string Text(string name) => System.IO.File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static TelemetryEvent Read(string name, EcsReadReport report)
    {
        using var document = JsonDocument.Parse(Text(name));
        return EcsJson.Parse<TelemetryEvent>(document.RootElement, report);
    }

    public static TelemetryEvent Read(string name) => Read(name, new EcsReadReport());

    public static TelemetryEvent ReadJson(string json, EcsReadReport report)
    {
        using var document = JsonDocument.Parse(json);
        return EcsJson.Parse<TelemetryEvent>(document.RootElement, report);
    }
}
