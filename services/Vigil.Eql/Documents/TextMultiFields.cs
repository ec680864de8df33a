namespace Vigil.Eql.Documents;

/// <summary>
/// The ECS fields that carry a <c>.text</c> multi-field: the same value indexed a second time as analyzed text
/// (match_only_text, the standard analyzer) beside the keyword or wildcard field itself. The list is ECS's own (RFC 0023,
/// which moved them from text to match_only_text), as Elastic Defend's endpoint-package maps them; a <c>.text</c> name
/// outside it is not a field in Elasticsearch either.
/// </summary>
public static class TextMultiFields
{
    public const string Suffix = ".text";

    private static readonly HashSet<string> KeywordFields = new(StringComparer.Ordinal)
    {
        "client.as.organization.name", "client.user.full_name", "client.user.name",
        "destination.as.organization.name", "destination.user.full_name", "destination.user.name",
        "error.stack_trace",
        "file.path", "file.target_path",
        "host.os.full", "host.os.name", "host.user.full_name", "host.user.name",
        "http.request.body.content", "http.response.body.content",
        "observer.os.full", "observer.os.name",
        "organization.name",
        "process.command_line", "process.executable", "process.name", "process.title", "process.working_directory",
        "process.parent.command_line", "process.parent.executable", "process.parent.name", "process.parent.title",
        "process.parent.working_directory",
        "server.as.organization.name", "server.user.full_name", "server.user.name",
        "source.as.organization.name", "source.user.full_name", "source.user.name",
        "threat.technique.name", "threat.technique.subtechnique.name",
        "url.full", "url.original",
        "user.changes.full_name", "user.changes.name", "user.effective.full_name", "user.effective.name",
        "user.full_name", "user.name", "user.target.full_name", "user.target.name",
        "user_agent.original", "user_agent.os.full", "user_agent.os.name",
        "vulnerability.description",
    };

    /// <summary>
    /// When <paramref name="path"/> names a <c>.text</c> multi-field, the field it indexes (<c>process.command_line</c>
    /// for <c>process.command_line.text</c>); ECS names are matched case-sensitively, as Elasticsearch matches field names.
    /// </summary>
    public static bool TryGetKeywordField(string path, out string keywordField)
    {
        keywordField = string.Empty;
        if (!path.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return false;
        }

        var candidate = path[..^Suffix.Length];
        if (!KeywordFields.Contains(candidate))
        {
            return false;
        }

        keywordField = candidate;
        return true;
    }
}
