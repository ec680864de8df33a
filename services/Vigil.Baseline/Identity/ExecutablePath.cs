namespace Vigil.Baseline.Identity;

/// <summary>
/// Collapses the parts of a macOS executable path that differ per user or per launch, so one program has one profile:
/// /Users/&lt;name&gt;/..., /private/var/folders/&lt;xx&gt;/&lt;id&gt;/... (per-user temporary folders) and the random
/// folder of App Translocation.
/// </summary>
public static class ExecutablePath
{
    public const string Wildcard = "*";

    public static string Normalize(string path)
    {
        var parts = path.Split('/');
        if (parts.Length < 4 || parts[0].Length != 0)
        {
            return path;
        }

        if (parts[1] == "Users" && parts[2] != "Shared")
        {
            parts[2] = Wildcard;
        }

        // /var/folders/<xx>/<id>/{T,C,X}/... and the same under /private.
        var folders = parts[1] == "private" ? 3 : 2;
        if (parts.Length > folders + 3 && parts[folders - 1] == "var" && parts[folders] == "folders")
        {
            parts[folders + 1] = Wildcard;
            parts[folders + 2] = Wildcard;
        }

        for (var i = 1; i < parts.Length - 1; i++)
        {
            if (parts[i] == "AppTranslocation")
            {
                parts[i + 1] = Wildcard;
            }
        }

        return string.Join('/', parts);
    }
}
