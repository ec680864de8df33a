namespace Vigil.Eql.Documents;

/// <summary>
/// The ECS fields that carry a <c>.text</c> multi-field: the same value indexed a second time as analyzed text
/// (match_only_text, the standard analyzer) beside the keyword or wildcard field itself. ECS defines the multi-field
/// on a field of a field set (<c>process.command_line</c>, <c>user.name</c>, <c>os.full</c>...) and it follows every
/// place ECS reuses that set, but only with the fields each reuse keeps: the process leaders have no <c>title</c>,
/// <c>process.previous</c> keeps only <c>executable</c>, the users nested under <c>process</c> only <c>id</c> and
/// <c>name</c>. The list is built from ECS's generated field reference (ecs_flat); a <c>.text</c> name outside it is
/// not a field in Elasticsearch either.
/// </summary>
public static class TextMultiFields
{
    public const string Suffix = ".text";

    private static readonly HashSet<string> KeywordFields = Build();

    private static HashSet<string> Build()
    {
        var fields = new HashSet<string>(StringComparer.Ordinal);
        void Add(IEnumerable<string> prefixes, params string[] names)
        {
            foreach (var prefix in prefixes)
            {
                foreach (var name in names)
                {
                    fields.Add(prefix.Length == 0 ? name : $"{prefix}.{name}");
                }
            }
        }

        // The user field set: full where ECS reuses all of it, id and name only where a process carries it.
        Add(["user", "user.changes", "user.effective", "user.target", "client.user", "destination.user", "host.user", "server.user", "source.user"], "name", "full_name");
        string[] leaders = ["process.entry_leader", "process.session_leader", "process.group_leader"];
        Add(
            new[] { "process", "process.parent" }.Concat(leaders).SelectMany(p => new[] { $"{p}.user", $"{p}.real_user", $"{p}.saved_user" }).Append("process.entry_leader.attested_user"),
            "name");

        // The process field set: the process and its parent in full, the session/group/entry leaders without a title.
        Add(["process", "process.parent"], "command_line", "executable", "name", "title", "working_directory");
        Add(leaders, "command_line", "executable", "name", "working_directory");
        Add(["process.previous"], "executable");

        string[] indicators = ["threat.indicator", "threat.enrichments.indicator"];
        Add(["host.os", "observer.os", "user_agent.os"], "full", "name");
        Add(["client.as", "destination.as", "server.as", "source.as", .. indicators.Select(i => $"{i}.as")], "organization.name");
        Add(["file", .. indicators.Select(i => $"{i}.file")], "path", "target_path");
        Add(["url", .. indicators.Select(i => $"{i}.url")], "full", "original");
        Add([string.Empty],
            "email.subject", "error.stack_trace", "http.request.body.content", "http.response.body.content", "organization.name",
            "threat.technique.name", "threat.technique.subtechnique.name", "user_agent.original", "vulnerability.description");
        return fields;
    }

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
