using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Vigil.Console.Pages;

/// <summary>Encoding and formatting shared by the pages: everything from an alert or a request goes through <see cref="E"/>.</summary>
internal static class Html
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);

    public static string Url(string? text) => UrlEncoder.Default.Encode(text ?? string.Empty);

    /// <summary>An event time (ns since the epoch) as ISO-8601 UTC with milliseconds; empty for 0.</summary>
    public static string Time(long nanos) =>
        nanos <= 0 ? string.Empty : DateTimeOffset.FromUnixTimeMilliseconds(nanos / 1_000_000).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Number(double value) =>
        double.IsNaN(value) ? "–" : value.ToString(value == Math.Floor(value) ? "#,0" : "#,0.##", CultureInfo.InvariantCulture);

    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        var unit = 0;
        while (bytes >= 1000 && unit < units.Length - 1)
        {
            bytes /= 1000;
            unit++;
        }

        return bytes.ToString(bytes >= 100 || unit == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    public static string Severity(string? severity) =>
        $"<span class=\"sev sev-{E(severity?.ToLowerInvariant())}\">{E(severity)}</span>";

    public static string Status(string status) => $"<span class=\"status st-{E(status)}\">{E(status)}</span>";

    public static string Select(string name, string label, IEnumerable<string> options, string? selected)
    {
        var html = new StringBuilder($"<label>{E(label)} <select name=\"{name}\"><option value=\"\">any</option>");
        foreach (var option in options.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var isSelected = string.Equals(option, selected, StringComparison.OrdinalIgnoreCase) ? " selected" : string.Empty;
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(option)}\"{isSelected}>{E(option)}</option>");
        }

        return html.Append("</select></label>").ToString();
    }

    public static string Technique(string id) =>
        $"<a href=\"https://attack.mitre.org/techniques/{E(id.Replace('.', '/'))}/\" rel=\"noreferrer\">{E(id)}</a>";

    public static string Tactic(string id) => $"<a href=\"https://attack.mitre.org/tactics/{E(id)}/\" rel=\"noreferrer\">{E(id)}</a>";
}
