using Google.Protobuf.Reflection;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// The fields of a protobuf message a reader needs, as a tree of field numbers: a selected message field either names
/// the fields of it that are needed or, selected whole, is parsed completely. Built from field paths (the chains the
/// rules' field accessors walk, plus the paths a service reads itself); a <see cref="SelectiveParser{T}"/> parses only
/// these and skips the rest.
/// </summary>
public sealed class FieldSelection
{
    private FieldSelection(MessageDescriptor root, Node tree)
    {
        Root = root;
        Tree = tree;
    }

    public MessageDescriptor Root { get; }

    /// <summary>Selected field paths by protobuf field name (e.g. "process.parent.executable"), sorted; a path selected whole ends in ".*" when it is a message.</summary>
    public IReadOnlyList<string> Paths => [.. Describe(Root, Tree, string.Empty).Order(StringComparer.Ordinal)];

    internal Node Tree { get; }

    /// <summary>The fields walked by each chain: every field of a chain but the last is a message, the last is selected whole.</summary>
    public static FieldSelection Of(MessageDescriptor root, IEnumerable<IReadOnlyList<FieldDescriptor>> chains)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(chains);
        var tree = new Node();
        foreach (var chain in chains)
        {
            var node = tree;
            var message = root;
            for (var i = 0; i < chain.Count; i++)
            {
                var field = chain[i];
                if (field.ContainingType != message)
                {
                    throw new ArgumentException($"Field {field.FullName} is not a field of {message.FullName}.", nameof(chains));
                }

                if (i == chain.Count - 1)
                {
                    node.Children[field.FieldNumber] = null;
                    break;
                }

                if (field.FieldType != FieldType.Message || field.IsRepeated)
                {
                    throw new ArgumentException($"Field {field.FullName} is not a singular message, yet the path goes on past it.", nameof(chains));
                }

                if (!node.Children.TryGetValue(field.FieldNumber, out var child))
                {
                    node.Children[field.FieldNumber] = child = new Node();
                }
                else if (child is null)
                {
                    break; // Already selected whole.
                }

                node = child;
                message = field.MessageType;
            }
        }

        return new FieldSelection(root, tree);
    }

    /// <summary>Paths of protobuf field names, dot-separated from <paramref name="root"/> (e.g. "event.category", "process.parent.entity_id").</summary>
    public static FieldSelection Of(MessageDescriptor root, IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(paths);
        return Of(root, paths.Select(p => Resolve(root, p)).ToList());
    }

    /// <summary>What either selection selects.</summary>
    public FieldSelection Union(FieldSelection other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Root != Root)
        {
            throw new ArgumentException($"Selections of {Root.FullName} and {other.Root.FullName} cannot be joined.", nameof(other));
        }

        return new FieldSelection(Root, Merge(Tree, other.Tree));
    }

    private static Node Merge(Node a, Node b)
    {
        var merged = new Node();
        foreach (var (number, child) in a.Children.Concat(b.Children))
        {
            if (!merged.Children.TryGetValue(number, out var existing))
            {
                merged.Children[number] = child;
            }
            else if (existing is not null)
            {
                merged.Children[number] = child is null ? null : Merge(existing, child);
            }
        }

        return merged;
    }

    private static List<FieldDescriptor> Resolve(MessageDescriptor root, string path)
    {
        var chain = new List<FieldDescriptor>();
        var message = root;
        foreach (var name in path.Split('.'))
        {
            if (message is null)
            {
                throw new ArgumentException($"'{path}' goes on past a value field.", nameof(path));
            }

            var field = message.FindFieldByName(name) ?? throw new ArgumentException($"'{path}': {message.FullName} has no field '{name}'.", nameof(path));
            chain.Add(field);
            message = field.FieldType == FieldType.Message && !field.IsRepeated ? field.MessageType : null;
        }

        return chain;
    }

    private static IEnumerable<string> Describe(MessageDescriptor message, Node node, string prefix)
    {
        foreach (var (number, child) in node.Children)
        {
            var field = message.FindFieldByNumber(number);
            var path = prefix + field.Name;
            if (child is not null)
            {
                foreach (var nested in Describe(field.MessageType, child, path + "."))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return field.FieldType == FieldType.Message && !field.IsMap ? path + ".*" : path;
            }
        }
    }

    /// <summary>Selected fields of one message by number; null marks a field selected whole.</summary>
    internal sealed class Node
    {
        public Dictionary<int, Node?> Children { get; } = [];
    }
}
