using System.Globalization;
using System.Text.Json;
using Vigil.Eql;
using Vigil.Eql.Documents;
using Vigil.Rules;

namespace Vigil.Rules.ExceptionLists;

/// <summary>
/// Reads the NDJSON that Kibana's exception list export writes: list objects (list_id, namespace_type, type, name),
/// their items ("type": "simple", entries, os_types, expire_time) and a closing export summary, in any order. Every
/// problem is reported at file:line:column; an entry on a field the telemetry contract lacks, a value its field's
/// type cannot hold, or a value list that is not on disk is an error, never a silently dead exception.
/// </summary>
internal sealed class ExceptionListReader(string path, List<RuleDiagnostic> diagnostics)
{
    public static readonly string[] ListTypes = ["detection", "rule_default", "endpoint", "endpoint_trusted_apps", "endpoint_events", "endpoint_host_isolation_exceptions", "endpoint_blocklists"];
    public static readonly string[] NamespaceTypes = ["single", "agnostic"];
    private static readonly string[] OsTypes = ["linux", "macos", "windows"];
    private static readonly string[] ValueListTypes = ["keyword", "ip", "ip_range"];
    private static readonly Dictionary<string, ExceptionEntryKind> EntryKinds = new(StringComparer.Ordinal)
    {
        ["match"] = ExceptionEntryKind.Match,
        ["match_any"] = ExceptionEntryKind.MatchAny,
        ["exists"] = ExceptionEntryKind.Exists,
        ["wildcard"] = ExceptionEntryKind.Wildcard,
        ["list"] = ExceptionEntryKind.List,
        ["nested"] = ExceptionEntryKind.Nested,
    };

    private readonly Dictionary<string, ValueList> valueLists = new(StringComparer.Ordinal);
    private int line;

    public IReadOnlyList<ExceptionList> Read()
    {
        var lists = new List<(LocatedJsonObject Json, SourceLocation Location)>();
        var items = new List<ExceptionListItem>();
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            LocatedJson json;
            try
            {
                json = LocatedJson.Parse(text);
            }
            catch (JsonException e)
            {
                diagnostics.Add(new RuleDiagnostic(At(1), $"invalid JSON: {e.Message}"));
                continue;
            }

            if (json.Value is not LocatedJsonObject obj)
            {
                diagnostics.Add(new RuleDiagnostic(At(json.Column), $"expected a JSON object per line, not {json.Kind}"));
                continue;
            }

            if (obj.TryGet("item_id", out _) || obj.TryGet("entries", out _))
            {
                if (ReadItem(obj, json.Column) is { } item)
                {
                    items.Add(item);
                }
            }
            else if (obj.TryGet("list_id", out _))
            {
                lists.Add((obj, At(json.Column)));
            }

            // Anything else is the export summary ("exported_exception_list_count"...), which carries no exceptions.
        }

        var result = new List<ExceptionList>();
        foreach (var (obj, location) in lists)
        {
            var listId = String(obj, "list_id", required: true);
            var namespaceType = OneOf(obj, "namespace_type", NamespaceTypes, "single");
            var type = OneOf(obj, "type", ListTypes, null);
            var name = String(obj, "name", required: false) ?? listId;
            if (listId is null || namespaceType is null || type is null)
            {
                continue;
            }

            result.Add(new ExceptionList(listId, namespaceType, type, name!, items.Where(i => i.ListId == listId && i.NamespaceType == namespaceType).ToList(), location));
        }

        foreach (var orphan in items.Where(i => !result.Any(l => l.ListId == i.ListId && l.NamespaceType == i.NamespaceType)))
        {
            diagnostics.Add(new RuleDiagnostic(orphan.Location, $"item '{orphan.ItemId}' belongs to list '{orphan.ListId}' ({orphan.NamespaceType}), which this file does not export"));
        }

        return result;
    }

    private ExceptionListItem? ReadItem(LocatedJsonObject obj, int column)
    {
        var before = diagnostics.Count;
        var itemId = String(obj, "item_id", required: true);
        var listId = String(obj, "list_id", required: true);
        var namespaceType = OneOf(obj, "namespace_type", NamespaceTypes, "single");
        var type = OneOf(obj, "type", ["simple"], "simple");
        var name = String(obj, "name", required: false) ?? itemId;
        var osTypes = Strings(obj, "os_types") ?? [];
        if (obj.TryGet("os_types", out var osNode))
        {
            foreach (var os in osTypes.Where(o => !OsTypes.Contains(o)))
            {
                diagnostics.Add(new RuleDiagnostic(At(osNode.Column), $"os_types value \"{os}\" is not one of {string.Join(", ", OsTypes)}"));
            }
        }

        DateTimeOffset? expires = null;
        if (obj.TryGet("expire_time", out var expireNode) && expireNode.Value is not null)
        {
            if (expireNode.Value is string text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                expires = parsed;
            }
            else
            {
                diagnostics.Add(new RuleDiagnostic(At(expireNode.Column), "expire_time must be an ISO-8601 date-time string"));
            }
        }

        var entries = new List<ExceptionEntry>();
        if (!obj.TryGet("entries", out var entriesNode) || entriesNode.Value is not List<LocatedJson> { Count: > 0 } raw)
        {
            diagnostics.Add(new RuleDiagnostic(At(obj.TryGet("entries", out var e) ? e.Column : column), "an exception item needs a non-empty 'entries' array"));
        }
        else
        {
            entries.AddRange(raw.Select(r => ReadEntry(r, parent: null)).OfType<ExceptionEntry>());
        }

        return diagnostics.Count > before || type is null
            ? null
            : new ExceptionListItem(itemId!, listId!, namespaceType!, name!, osTypes, expires, entries, At(column));
    }

    private ExceptionEntry? ReadEntry(LocatedJson node, string? parent)
    {
        if (node.Value is not LocatedJsonObject obj)
        {
            diagnostics.Add(new RuleDiagnostic(At(node.Column), $"an entry must be an object, not {node.Kind}"));
            return null;
        }

        var before = diagnostics.Count;
        var location = At(node.Column);
        var typeText = String(obj, "type", required: true);
        var field = String(obj, "field", required: true);
        if (typeText is null || field is null)
        {
            return null;
        }

        if (!EntryKinds.TryGetValue(typeText, out var kind))
        {
            diagnostics.Add(new RuleDiagnostic(At(obj.TryGet("type", out var t) ? t.Column : node.Column), $"entry type \"{typeText}\" is not one of {string.Join(", ", EntryKinds.Keys)}"));
            return null;
        }

        if (parent is not null && kind is not (ExceptionEntryKind.Match or ExceptionEntryKind.MatchAny or ExceptionEntryKind.Exists))
        {
            diagnostics.Add(new RuleDiagnostic(location, $"a nested entry may hold only match, match_any and exists entries, not {typeText}"));
            return null;
        }

        var fullField = parent is null ? field : $"{parent}.{field}";
        if (kind == ExceptionEntryKind.Nested)
        {
            if (!obj.TryGet("entries", out var inner) || inner.Value is not List<LocatedJson> { Count: > 0 } innerEntries)
            {
                diagnostics.Add(new RuleDiagnostic(location, "a nested entry needs a non-empty 'entries' array"));
                return null;
            }

            var nested = innerEntries.Select(i => ReadEntry(i, fullField)).ToList();
            return diagnostics.Count > before ? null
                : new ExceptionEntry(kind, fullField, Excluded: false, [], null, nested.OfType<ExceptionEntry>().ToList(), location);
        }

        var excluded = OneOf(obj, "operator", ["included", "excluded"], null) == "excluded";
        var fieldLocation = At(obj.TryGet("field", out var f) ? f.Column : node.Column);
        if (!TelemetrySchemas.Fields.TryResolve(fullField, out var definition, out var problem))
        {
            diagnostics.Add(new RuleDiagnostic(fieldLocation, $"exception entry on '{fullField}': {problem}"));
            return null;
        }

        IReadOnlyList<string> values = [];
        ValueList? list = null;
        switch (kind)
        {
            case ExceptionEntryKind.Match:
            case ExceptionEntryKind.Wildcard:
                values = String(obj, "value", required: true) is { } single ? [single] : [];
                break;
            case ExceptionEntryKind.MatchAny:
                values = Strings(obj, "value") ?? [];
                if (values.Count == 0)
                {
                    diagnostics.Add(new RuleDiagnostic(location, "a match_any entry needs a non-empty 'value' array of strings"));
                }

                break;
            case ExceptionEntryKind.List:
                list = ReadValueList(obj, location);
                break;
        }

        if (kind is ExceptionEntryKind.Match or ExceptionEntryKind.MatchAny)
        {
            foreach (var value in values.Where(v => ExceptionValues.Parse(definition, v) is null))
            {
                diagnostics.Add(new RuleDiagnostic(At(obj.TryGet("value", out var v) ? v.Column : node.Column), $"\"{value}\" is not a {definition.Type.ToString().ToLowerInvariant()} value, which '{definition.Path}' holds"));
            }
        }

        if (kind == ExceptionEntryKind.Wildcard && definition.Type != EqlFieldType.String)
        {
            diagnostics.Add(new RuleDiagnostic(fieldLocation, $"'matches' needs a string field; '{definition.Path}' holds {definition.Type.ToString().ToLowerInvariant()} values"));
        }

        return diagnostics.Count > before ? null : new ExceptionEntry(kind, fullField, excluded, values, list, [], location);
    }

    /// <summary>
    /// A value list is a text file of one value per line in a value_lists folder next to the NDJSON file, named by
    /// the list's id (the name Kibana gave the uploaded file), with or without a ".txt" suffix.
    /// </summary>
    private ValueList? ReadValueList(LocatedJsonObject entry, SourceLocation location)
    {
        if (!entry.TryGet("list", out var node) || node.Value is not LocatedJsonObject listRef)
        {
            diagnostics.Add(new RuleDiagnostic(location, "a list entry needs 'list': { \"id\": ..., \"type\": ... }"));
            return null;
        }

        var id = String(listRef, "id", required: true);
        var type = OneOf(listRef, "type", ValueListTypes, null);
        if (id is null || type is null)
        {
            return null;
        }

        var folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "value_lists");
        var file = new[] { Path.Combine(folder, id), Path.Combine(folder, id + ".txt") }.FirstOrDefault(File.Exists);
        if (file is null)
        {
            diagnostics.Add(new RuleDiagnostic(At(node.Column), $"value list '{id}' is not on disk: 'is in list' entries need the list's values in {Path.Combine(folder, id)} (one value per line)"));
            return null;
        }

        if (valueLists.TryGetValue(file, out var cached))
        {
            return cached;
        }

        var values = new List<string>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(file))
        {
            lineNumber++;
            var value = raw.Trim();
            if (value.Length == 0)
            {
                continue;
            }

            if (type != "keyword" && IpValues.Parse(value, allowRange: type == "ip_range") is null)
            {
                diagnostics.Add(new RuleDiagnostic(new SourceLocation(file, lineNumber, 1), $"\"{value}\" is not an {(type == "ip" ? "IP address" : "IP address, CIDR block or a-b range")}"));
                continue;
            }

            values.Add(value);
        }

        return valueLists[file] = new ValueList(id, type, file, values);
    }

    private SourceLocation At(int column) => new(path, line, column);

    private string? String(LocatedJsonObject obj, string key, bool required)
    {
        if (!obj.TryGet(key, out var node))
        {
            if (required)
            {
                diagnostics.Add(new RuleDiagnostic(At(1), $"missing '{key}'"));
            }

            return null;
        }

        if (node.Value is string text && (text.Length > 0 || !required))
        {
            return text;
        }

        diagnostics.Add(new RuleDiagnostic(At(node.Column), node.Value is string ? $"'{key}' must not be empty" : $"'{key}' must be a string, not {node.Kind}"));
        return null;
    }

    private string? OneOf(LocatedJsonObject obj, string key, string[] allowed, string? fallback)
    {
        if (!obj.TryGet(key, out var node))
        {
            if (fallback is null)
            {
                diagnostics.Add(new RuleDiagnostic(At(1), $"missing '{key}' (one of {string.Join(", ", allowed)})"));
            }

            return fallback;
        }

        if (node.Value is string text && allowed.Contains(text))
        {
            return text;
        }

        diagnostics.Add(new RuleDiagnostic(At(node.Column), $"'{key}' must be one of {string.Join(", ", allowed)}, not {(node.Value is string s ? $"\"{s}\"" : node.Kind)}"));
        return null;
    }

    private List<string>? Strings(LocatedJsonObject obj, string key)
    {
        if (!obj.TryGet(key, out var node) || node.Value is null)
        {
            return null;
        }

        if (node.Value is List<LocatedJson> items && items.All(i => i.Value is string))
        {
            return items.Select(i => (string)i.Value!).ToList();
        }

        diagnostics.Add(new RuleDiagnostic(At(node.Column), $"'{key}' must be an array of strings, not {node.Kind}"));
        return null;
    }
}
