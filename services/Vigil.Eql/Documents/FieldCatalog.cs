using System.Collections.Concurrent;
using Google.Protobuf.Reflection;

namespace Vigil.Eql.Documents;

/// <summary>
/// The fields a query may name, read from a protobuf message descriptor. ECS paths resolve case-insensitively by walking
/// message fields by name; "@timestamp" is the root "timestamp" field, "Ext" is "ext", and a path segment that is not a
/// field may join the next one with '_', so a dotted ECS name whose contract field is flattened still resolves.
/// </summary>
public sealed class FieldCatalog
{
    private readonly MessageDescriptor root;
    private readonly HashSet<string> timeFields;
    private readonly ConcurrentDictionary<string, FieldResolution> cache = new(StringComparer.OrdinalIgnoreCase);

    private FieldCatalog(MessageDescriptor root, IEnumerable<string> timeFieldNames)
    {
        this.root = root;
        timeFields = new HashSet<string>(timeFieldNames, StringComparer.Ordinal);
    }

    /// <summary>A catalog over <paramref name="root"/>; int64 fields named in <paramref name="timeFieldNames"/> hold epoch nanoseconds.</summary>
    public static FieldCatalog FromMessage(MessageDescriptor root, IEnumerable<string> timeFieldNames) => new(root, timeFieldNames);

    /// <summary>Resolves <paramref name="ecsPath"/>; on failure <paramref name="problem"/> says why (and suggests a near name).</summary>
    public bool TryResolve(string ecsPath, out FieldDefinition field, out string problem)
    {
        var resolution = cache.GetOrAdd(ecsPath, Resolve);
        field = resolution.Field!;
        problem = resolution.Problem ?? string.Empty;
        return resolution.Field is not null;
    }

    /// <summary>Resolves a path the engine itself needs (event.id, @timestamp...); throws when the schema lacks it.</summary>
    public FieldDefinition Require(string ecsPath) =>
        TryResolve(ecsPath, out var field, out var problem)
            ? field
            : throw new InvalidOperationException($"The event schema has no '{ecsPath}' field, which sequence matching needs: {problem}");

    private FieldResolution Resolve(string path)
    {
        var segments = path.Split('.');
        if (segments.Length > 0 && segments[0] == "@timestamp")
        {
            segments[0] = "timestamp";
        }

        var chain = new List<FieldDescriptor>();
        string? deepestProblem = null;
        if (Walk(this.root, segments, 0, chain, ref deepestProblem))
        {
            return Define(chain, path);
        }

        if (TextMultiFields.TryGetKeywordField(path, out var keyword))
        {
            // Elasticsearch's EQL refuses text fields; a KQL or Lucene query runs them (KqlCompiler), this names the way.
            return new FieldResolution(null, $"'{path}' is the analyzed text (match_only_text) multi-field of '{keyword}', which only KQL and Lucene queries search (Elasticsearch's EQL does not search text fields): compare '{keyword}' instead");
        }

        string? stemProblem = null;
        if (path.EndsWith(TextMultiFields.Suffix, StringComparison.Ordinal) && segments.Length > 1 && Walk(this.root, segments[..^1], 0, [], ref stemProblem))
        {
            var stem = path[..^TextMultiFields.Suffix.Length];
            return new FieldResolution(null, $"unknown field '{path}': ECS gives '{stem}' no .text multi-field; query '{stem}' itself");
        }

        return new FieldResolution(null, deepestProblem ?? $"unknown field '{path}'");
    }

    private bool Walk(MessageDescriptor message, string[] segments, int index, List<FieldDescriptor> chain, ref string? problem)
    {
        if (index == segments.Length)
        {
            var leaf = chain[^1];
            if (leaf.FieldType == FieldType.Message)
            {
                problem = $"'{string.Join('.', segments)}' is an object, not a value: name one of its fields";
                return false;
            }

            return true;
        }

        if (chain.Count > 0 && chain[^1].FieldType != FieldType.Message)
        {
            problem = $"'{chain[^1].Name}' is a value and has no field '{segments[index]}'";
            return false;
        }

        for (var end = index; end < segments.Length; end++)
        {
            var name = string.Join('_', segments, index, end - index + 1);
            var field = message.Fields.InDeclarationOrder().FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
            if (field is null)
            {
                continue;
            }

            if (field.IsMap)
            {
                // A map (TelemetryEvent.unmapped) holds source fields the contract has no place for, as untyped JSON
                // text; a query names contract fields so a typo or a missing field fails when the rule loads.
                problem ??= $"'{string.Join('.', segments, 0, end + 1)}' holds source fields the contract has no place for and cannot be queried";
                continue;
            }

            chain.Add(field);
            var next = field.FieldType == FieldType.Message ? field.MessageType : message;
            if (Walk(next, segments, end + 1, chain, ref problem))
            {
                return true;
            }

            chain.RemoveAt(chain.Count - 1);
        }

        if (problem is null)
        {
            var where = index == 0 ? "the event" : $"'{string.Join('.', segments, 0, index)}'";
            var suggestion = Nearest(message, segments[index]);
            problem = $"unknown field '{string.Join('.', segments)}': {where} has no field '{segments[index]}'"
                + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)");
        }

        return false;
    }

    private static string? Nearest(MessageDescriptor message, string segment)
    {
        var best = message.Fields.InDeclarationOrder()
            .Select(f => (f.Name, Distance: EditDistance(f.Name.ToLowerInvariant(), segment.ToLowerInvariant())))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(1, segment.Length / 3) ? best.Name : null;
    }

    /// <summary>Edit distance counting an adjacent transposition as one edit ("nmae" is one edit from "name").</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private FieldResolution Define(List<FieldDescriptor> chain, string writtenPath)
    {
        var leaf = chain[^1];
        EqlFieldType? type = leaf.FieldType switch
        {
            FieldType.String => EqlFieldType.String,
            FieldType.Enum => EqlFieldType.String,
            FieldType.Bool => EqlFieldType.Boolean,
            FieldType.Double or FieldType.Float => EqlFieldType.Float,
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 when timeFields.Contains(leaf.Name) => EqlFieldType.Time,
            FieldType.Int32 or FieldType.Int64 or FieldType.SInt32 or FieldType.SInt64 or FieldType.SFixed32 or FieldType.SFixed64
                or FieldType.UInt32 or FieldType.Fixed32 => EqlFieldType.Integer,
            _ => null,
        };
        if (type is null || (leaf.IsRepeated && type != EqlFieldType.String))
        {
            return new FieldResolution(null, $"field '{writtenPath}' has a type EQL cannot compare ({leaf.FieldType}{(leaf.IsRepeated ? " list" : string.Empty)})");
        }

        var canonical = string.Join('.', chain.Select((f, i) => (i, f.Name) switch
        {
            (0, "timestamp") => "@timestamp",
            (_, "ext") => "Ext",
            _ => f.Name,
        }));
        return new FieldResolution(new FieldDefinition(canonical, type.Value, leaf.IsRepeated, chain.ToArray()), null);
    }

    private sealed record FieldResolution(FieldDefinition? Field, string? Problem);
}
