namespace Vigil.Adapters;

/// <summary>The one spelling of a <see cref="RejectionReason"/> outside code: dead-letter headers, metric labels, CLI output.</summary>
public static class RejectionReasons
{
    private static readonly Dictionary<RejectionReason, string> Names = Enum.GetValues<RejectionReason>()
        .ToDictionary(r => r, r => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(r.ToString()));

    /// <summary>Kebab-cased name, e.g. <c>missing-host</c>.</summary>
    public static string Name(this RejectionReason reason) => Names[reason];
}
