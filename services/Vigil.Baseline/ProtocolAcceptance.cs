using System.Globalization;
using System.Text.Json;

namespace Vigil.Baseline;

/// <summary>An analyst's verdict that a protocol is normal for an image: when (wall clock, ns), why and by whom.</summary>
public sealed record ProtocolAcceptance(long At, string Reason, string By)
{
    /// <summary>
    /// Every verdict on a protocol, oldest first, from its stored history (<see cref="ProfileFields.ProtocolAcceptanceHistoryPrefix"/>:
    /// a JSON array of {"at": "&lt;ns&gt;", "reason", "by"}); just <paramref name="latest"/> when the profile predates the
    /// history or the history is unreadable, so a verdict is never lost from view.
    /// </summary>
    public static IReadOnlyList<ProtocolAcceptance> History(string? json, ProtocolAcceptance latest)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [latest];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var history = new List<ProtocolAcceptance>();
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                var at = entry.TryGetProperty("at", out var a) ? a.ValueKind == JsonValueKind.String
                    ? long.Parse(a.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture)
                    : a.GetInt64() : 0;
                history.Add(new ProtocolAcceptance(at, Text(entry, "reason"), Text(entry, "by")));
            }

            return history.Count > 0 ? history : [latest];
        }
        catch (Exception e) when (e is JsonException or FormatException or OverflowException or InvalidOperationException)
        {
            return [latest];
        }
    }

    private static string Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
