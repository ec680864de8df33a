using Vigil.Eql;

namespace Vigil.Rules.ExceptionLists;

/// <summary>
/// The Kibana exception lists a rule folder ships: every *.ndjson export in an "exceptions" folder inside the rule
/// folder (at any depth) or next to it (the parent's "exceptions" folder, shared by all packs), keyed by list_id and
/// namespace_type as rules reference them.
/// </summary>
public sealed class ExceptionListCatalog
{
    private readonly Dictionary<(string ListId, string NamespaceType), ExceptionList> lists;

    private ExceptionListCatalog(Dictionary<(string, string), ExceptionList> lists) => this.lists = lists;

    public static ExceptionListCatalog Empty { get; } = new([]);

    public IReadOnlyCollection<ExceptionList> Lists => this.lists.Values;

    /// <summary>The exception folders that belong to rules loaded from <paramref name="rulesPath"/> (a folder or one rule file).</summary>
    public static IReadOnlyList<string> FoldersFor(string rulesPath)
    {
        var full = Path.GetFullPath(rulesPath);
        var root = Directory.Exists(full) ? full : Path.GetDirectoryName(full)!;
        var folders = new List<string>();
        if (Path.GetDirectoryName(root) is { } parent && Directory.Exists(Path.Combine(parent, "exceptions")))
        {
            folders.Add(Path.Combine(parent, "exceptions"));
        }

        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        if (Path.GetFileName(root) == "exceptions")
        {
            folders.Add(root);
        }

        folders.AddRange(Directory.EnumerateDirectories(root, "exceptions", walk).Order(StringComparer.Ordinal));
        return folders.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Reads every export in <paramref name="folders"/>; problems go to <paramref name="diagnostics"/> with file:line:column.</summary>
    public static ExceptionListCatalog Load(IEnumerable<string> folders, List<RuleDiagnostic> diagnostics)
    {
        var lists = new Dictionary<(string, string), ExceptionList>();
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.ndjson").Order(StringComparer.Ordinal))
            {
                foreach (var list in new ExceptionListReader(file, diagnostics).Read())
                {
                    if (lists.TryGetValue((list.ListId, list.NamespaceType), out var first))
                    {
                        diagnostics.Add(new RuleDiagnostic(list.Location, $"exception list '{list.ListId}' ({list.NamespaceType}) is already exported by {first.Location}"));
                        continue;
                    }

                    lists[(list.ListId, list.NamespaceType)] = list;
                }
            }
        }

        return new ExceptionListCatalog(lists);
    }

    public ExceptionList? Find(ExceptionListReference reference) =>
        this.lists.GetValueOrDefault((reference.ListId, reference.NamespaceType));

    /// <summary>Reports each reference of <paramref name="rule"/> that names no loaded list, at the reference.</summary>
    public void Check(DetectionRule rule, List<RuleDiagnostic> diagnostics)
    {
        foreach (var reference in rule.ExceptionLists.Where(r => Find(r) is null))
        {
            diagnostics.Add(new RuleDiagnostic(
                reference.Location,
                $"exceptions_list names list_id '{reference.ListId}' ({reference.NamespaceType}), which no exception list export defines: " +
                "put Kibana's export (*.ndjson) in an 'exceptions' folder of the rule pack"));
        }
    }
}
