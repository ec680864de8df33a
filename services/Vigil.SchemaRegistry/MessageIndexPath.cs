using Google.Protobuf.Reflection;

namespace Vigil.SchemaRegistry;

/// <summary>
/// Where a message type sits in its .proto file, as Confluent's protobuf framing names it: the index of the
/// top-level message in the file, then the index of each nested message inside its parent
/// (e.g. [1, 0] is the first message nested in the file's second message).
/// </summary>
public sealed class MessageIndexPath : IEquatable<MessageIndexPath>
{
    private readonly int[] indexes;

    public MessageIndexPath(IEnumerable<int> indexes)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        this.indexes = indexes.ToArray();
        if (this.indexes.Length == 0)
        {
            throw new ArgumentException("A message-index path has at least one index.", nameof(indexes));
        }

        if (this.indexes.Any(i => i < 0))
        {
            throw new ArgumentException("Message indexes are never negative.", nameof(indexes));
        }

        EncodedLength = ComputeEncodedLength(this.indexes);
    }

    /// <summary>The path [0]: the first message of a file, the common case written as the single byte 0x00.</summary>
    public static MessageIndexPath First { get; } = new([0]);

    public IReadOnlyList<int> Indexes => indexes;

    /// <summary>Bytes this path takes in a frame.</summary>
    public int EncodedLength { get; }

    /// <summary>True for [0], which frames write as the single byte 0x00.</summary>
    public bool IsFirst => indexes is [0];

    /// <summary>The path of <paramref name="message"/> within its file; nested messages give longer paths.</summary>
    public static MessageIndexPath Of(MessageDescriptor message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var reversed = new List<int>();
        var current = message;
        while (current.ContainingType is { } parent)
        {
            reversed.Add(IndexOf(parent.NestedTypes, current));
            current = parent;
        }

        reversed.Add(IndexOf(current.File.MessageTypes, current));
        reversed.Reverse();
        return reversed is [0] ? First : new MessageIndexPath(reversed);
    }

    /// <summary>The message this path names in <paramref name="file"/>, or null when it names none.</summary>
    public MessageDescriptor? Resolve(FileDescriptor file)
    {
        ArgumentNullException.ThrowIfNull(file);
        IList<MessageDescriptor> candidates = file.MessageTypes;
        MessageDescriptor? resolved = null;
        foreach (var index in indexes)
        {
            if (index >= candidates.Count)
            {
                return null;
            }

            resolved = candidates[index];
            candidates = resolved.NestedTypes;
        }

        return resolved;
    }

    /// <summary>Writes the Confluent encoding of this path and returns the bytes written (<see cref="EncodedLength"/>).</summary>
    public int WriteTo(Span<byte> destination)
    {
        if (IsFirst)
        {
            destination[0] = 0;
            return 1;
        }

        var written = ZigZagVarint.Write(destination, indexes.Length);
        foreach (var index in indexes)
        {
            written += ZigZagVarint.Write(destination[written..], index);
        }

        return written;
    }

    public bool Equals(MessageIndexPath? other) =>
        other is not null && indexes.AsSpan().SequenceEqual(other.indexes);

    public override bool Equals(object? obj) => Equals(obj as MessageIndexPath);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var index in indexes)
        {
            hash.Add(index);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => $"[{string.Join(", ", indexes)}]";

    private static int ComputeEncodedLength(int[] indexes)
    {
        if (indexes is [0])
        {
            return 1;
        }

        var length = ZigZagVarint.Length(indexes.Length);
        foreach (var index in indexes)
        {
            length += ZigZagVarint.Length(index);
        }

        return length;
    }

    private static int IndexOf(IList<MessageDescriptor> siblings, MessageDescriptor message)
    {
        for (var i = 0; i < siblings.Count; i++)
        {
            if (ReferenceEquals(siblings[i], message) || siblings[i].FullName == message.FullName)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Message '{message.FullName}' is not declared where its descriptor says it is.");
    }
}
