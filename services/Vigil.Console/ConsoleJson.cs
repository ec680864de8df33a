using System.Text.Json;

namespace Vigil.Console;

/// <summary>JSON settings of what the console stores (triage history) and serves.</summary>
internal static class ConsoleJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
