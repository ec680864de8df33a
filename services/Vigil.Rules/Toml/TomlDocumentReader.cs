using Tomlyn.Parsing;
using Tomlyn.Syntax;
using Vigil.Eql;

namespace Vigil.Rules.Toml;

/// <summary>
/// Reads TOML text through Tomlyn's lossless syntax tree into located tables: [table] and [[array.of.tables]] headers,
/// dotted keys and inline tables, with each key's and value's file position. Syntax errors and redefinitions become
/// diagnostics; reading goes on past them so one pass reports everything.
/// </summary>
internal static class TomlDocumentReader
{
    public static TomlTableNode Read(string text, string sourceName, List<RuleDiagnostic> diagnostics)
    {
        var document = SyntaxParser.Parse(text, sourceName, true);
        foreach (var message in document.Diagnostics)
        {
            diagnostics.Add(new RuleDiagnostic(Locate(sourceName, message.Span.Start), $"invalid TOML: {message.Message}"));
        }

        var root = new TomlTableNode(new SourceLocation(sourceName, 1, 1));
        foreach (var keyValue in document.KeyValues)
        {
            Assign(root, keyValue, sourceName, diagnostics);
        }

        foreach (var table in document.Tables)
        {
            if (table.Name is null)
            {
                continue;
            }

            var location = Locate(sourceName, table.Span.Start);
            var path = KeyParts(table.Name);
            var current = table is TableArraySyntax
                ? AppendArrayElement(root, path, location, diagnostics)
                : OpenTable(root, path, location, diagnostics);
            if (current is null)
            {
                continue;
            }

            foreach (var keyValue in table.Items)
            {
                Assign(current, keyValue, sourceName, diagnostics);
            }
        }

        return root;
    }

    public static SourceLocation Locate(string sourceName, TextPosition position) => new(sourceName, position.Line + 1, position.Column + 1);

    private static List<string> KeyParts(KeySyntax key)
    {
        var parts = new List<string> { KeyText(key.Key) };
        parts.AddRange(key.DotKeys.Select(d => KeyText(d.Key)));
        return parts;
    }

    private static string KeyText(BareKeyOrStringValueSyntax? key) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? string.Empty,
        StringValueSyntax quoted => quoted.Value ?? string.Empty,
        _ => string.Empty,
    };

    /// <summary>Walks to the table a dotted header names; the last element of an array of tables stands for the array.</summary>
    private static TomlTableNode? Walk(TomlTableNode table, IReadOnlyList<string> path, SourceLocation location, List<RuleDiagnostic> diagnostics)
    {
        var current = table;
        foreach (var part in path)
        {
            if (!current.TryGet(part, out var node))
            {
                var child = new TomlTableNode(location);
                current.TryAdd(part, location, new TomlNode(location, child));
                current = child;
                continue;
            }

            switch (node.Value)
            {
                case TomlTableNode existing:
                    current = existing;
                    break;
                case List<TomlNode> { Count: > 0 } array when array[^1].Value is TomlTableNode last:
                    current = last;
                    break;
                default:
                    diagnostics.Add(new RuleDiagnostic(location, $"'{part}' is {node.Kind} (defined at line {node.Location.Line}), not a table"));
                    return null;
            }
        }

        return current;
    }

    private static TomlTableNode? OpenTable(TomlTableNode root, List<string> path, SourceLocation location, List<RuleDiagnostic> diagnostics) =>
        Walk(root, path, location, diagnostics);

    private static TomlTableNode? AppendArrayElement(TomlTableNode root, List<string> path, SourceLocation location, List<RuleDiagnostic> diagnostics)
    {
        var parent = Walk(root, path[..^1], location, diagnostics);
        if (parent is null)
        {
            return null;
        }

        var name = path[^1];
        if (!parent.TryGet(name, out var node))
        {
            node = new TomlNode(location, new List<TomlNode>());
            parent.TryAdd(name, location, node);
        }

        if (node.Value is not List<TomlNode> array)
        {
            diagnostics.Add(new RuleDiagnostic(location, $"'{string.Join('.', path)}' is already {node.Kind}, not an array of tables"));
            return null;
        }

        var element = new TomlTableNode(location);
        array.Add(new TomlNode(location, element));
        return element;
    }

    private static void Assign(TomlTableNode table, KeyValueSyntax keyValue, string sourceName, List<RuleDiagnostic> diagnostics)
    {
        if (keyValue.Key is null || keyValue.Value is null)
        {
            return;
        }

        var keyLocation = Locate(sourceName, keyValue.Key.Span.Start);
        var parts = KeyParts(keyValue.Key);
        var target = Walk(table, parts[..^1], keyLocation, diagnostics);
        if (target is null || Convert(keyValue.Value, sourceName, diagnostics) is not { } node)
        {
            return;
        }

        // A key defined twice is reported by Tomlyn's parser; the first definition stands.
        target.TryAdd(parts[^1], keyLocation, node);
    }

    private static TomlNode? Convert(ValueSyntax value, string sourceName, List<RuleDiagnostic> diagnostics)
    {
        var location = Locate(sourceName, value.Span.Start);
        switch (value)
        {
            case StringValueSyntax s:
                return new TomlNode(location, s.Value ?? string.Empty, s.Token?.Text ?? string.Empty);
            case IntegerValueSyntax i:
                return new TomlNode(location, i.Value);
            case FloatValueSyntax f:
                return new TomlNode(location, f.Value);
            case BooleanValueSyntax b:
                return new TomlNode(location, b.Value);
            case DateTimeValueSyntax d:
                return new TomlNode(location, d.ToString().Trim());
            case ArraySyntax array:
                return new TomlNode(location, array.Items
                    .Select(item => item.Value is null ? null : Convert(item.Value, sourceName, diagnostics))
                    .OfType<TomlNode>()
                    .ToList());
            case InlineTableSyntax inline:
                var table = new TomlTableNode(location);
                foreach (var item in inline.Items)
                {
                    if (item.KeyValue is not null)
                    {
                        Assign(table, item.KeyValue, sourceName, diagnostics);
                    }
                }

                return new TomlNode(location, table);
            default:
                return null;
        }
    }
}
