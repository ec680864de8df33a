using System.Buffers;
using StackExchange.Redis;

namespace Vigil.Redis;

/// <summary>
/// The one place Vigil's Redis keys are named.
/// Host state: <c>&lt;prefix&gt;:{&lt;host.id&gt;}:&lt;kind&gt;:&lt;part&gt;...</c>; the host id is the Redis Cluster hash tag,
/// so all keys of a host share one slot and a Lua script over them stays atomic on a cluster.
/// Fleet-wide state: <c>&lt;prefix&gt;:fleet:{&lt;tag&gt;}:&lt;kind&gt;:&lt;part&gt;...</c> with a caller-chosen tag.
/// Every component is escaped with <see cref="Escape"/>, so no value can end the hash tag early, move a key
/// to another slot, or make two different component lists produce the same key.
/// </summary>
public sealed class RedisKeys
{
    /// <summary>Second component of fleet-wide keys; host keys have the hash tag there instead, so the two never collide.</summary>
    public const string FleetScope = "fleet";

    /// <summary>Stands for the empty string: an empty hash tag "{}" would make Redis hash the whole key.</summary>
    private const string EmptyComponent = "%";

    // '%' is the escape character itself; ':' separates components; '{' and '}' delimit the hash tag.
    private static readonly SearchValues<char> Reserved = SearchValues.Create("%:{}");

    private const int StackBufferLength = 256;

    public RedisKeys(string prefix)
    {
        if (DescribeInvalidPrefix(prefix) is { } problem)
        {
            throw new ArgumentException(problem, nameof(prefix));
        }

        Prefix = prefix;
    }

    public string Prefix { get; }

    /// <summary>Key of per-host state: <c>&lt;prefix&gt;:{&lt;hostId&gt;}:&lt;kind&gt;[:&lt;part&gt;...]</c>.</summary>
    public RedisKey Host(string hostId, string kind, params ReadOnlySpan<string> parts) =>
        Build(scope: null, hostId, kind, parts);

    /// <summary>
    /// Key of state shared by the fleet: <c>&lt;prefix&gt;:fleet:{&lt;hashTag&gt;}:&lt;kind&gt;[:&lt;part&gt;...]</c>.
    /// Keys with the same <paramref name="hashTag"/> share a slot (e.g. tag = process image, for one image's profile).
    /// </summary>
    public RedisKey Fleet(string hashTag, string kind, params ReadOnlySpan<string> parts) =>
        Build(FleetScope, hashTag, kind, parts);

    /// <summary>The host id of a key built by <see cref="Host"/> with this prefix; false for any other key.</summary>
    public bool TryGetHostId(string key, out string hostId)
    {
        hostId = string.Empty;
        var span = key.AsSpan();
        if (!span.StartsWith(Prefix, StringComparison.Ordinal) || !span[Prefix.Length..].StartsWith(":{", StringComparison.Ordinal))
        {
            return false;
        }

        var tag = span[(Prefix.Length + 2)..];
        var end = tag.IndexOf('}');
        if (end < 0 || !TryUnescape(tag[..end], out hostId))
        {
            return false;
        }

        return true;
    }

    /// <summary>
    /// Percent-encodes '%', ':', '{' and '}' and writes the empty string as "%"; reversed by <see cref="Unescape"/>.
    /// Other characters, including non-ASCII ones, pass through so keys stay readable in redis-cli.
    /// </summary>
    public static string Escape(string component)
    {
        var length = EscapedLength(component);
        if (length == component.Length)
        {
            return component;
        }

        return string.Create(length, component, static (destination, source) => WriteEscaped(destination, source));
    }

    /// <summary>The component that <see cref="Escape"/> turned into <paramref name="escaped"/>.</summary>
    /// <exception cref="FormatException">The text is not the output of <see cref="Escape"/>.</exception>
    public static string Unescape(string escaped) =>
        TryUnescape(escaped, out var component)
            ? component
            : throw new FormatException($"'{escaped}' is not an escaped Redis key component.");

    /// <summary>Why <paramref name="prefix"/> cannot start Vigil's keys, or null when it can.</summary>
    public static string? DescribeInvalidPrefix(string? prefix) =>
        string.IsNullOrEmpty(prefix) ? "the key prefix is empty."
        : prefix.AsSpan().IndexOfAny('{', '}') >= 0 ? $"the key prefix '{prefix}' contains '{{' or '}}', which would move the cluster hash tag."
        : null;

    private RedisKey Build(string? scope, string tag, string kind, ReadOnlySpan<string> parts)
    {
        ArgumentNullException.ThrowIfNull(tag);
        ArgumentNullException.ThrowIfNull(kind);

        // prefix ":" [scope ":"] "{" tag "}" ":" kind (":" part)*
        var length = Prefix.Length + 1 + (scope is null ? 0 : scope.Length + 1) + 2 + EscapedLength(tag) + 1 + EscapedLength(kind);
        foreach (var part in parts)
        {
            ArgumentNullException.ThrowIfNull(part, nameof(parts));
            length += 1 + EscapedLength(part);
        }

        // One allocation per key (the string) on the per-event path; long keys rent instead of stack-allocating.
        char[]? rented = null;
        var buffer = length <= StackBufferLength
            ? stackalloc char[StackBufferLength]
            : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            var position = 0;
            Append(buffer, ref position, Prefix);
            buffer[position++] = ':';
            if (scope is not null)
            {
                Append(buffer, ref position, scope);
                buffer[position++] = ':';
            }

            buffer[position++] = '{';
            position += WriteEscaped(buffer[position..], tag);
            buffer[position++] = '}';
            buffer[position++] = ':';
            position += WriteEscaped(buffer[position..], kind);
            foreach (var part in parts)
            {
                buffer[position++] = ':';
                position += WriteEscaped(buffer[position..], part);
            }

            return new string(buffer[..position]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static void Append(Span<char> buffer, ref int position, string text)
    {
        text.AsSpan().CopyTo(buffer[position..]);
        position += text.Length;
    }

    private static int EscapedLength(string component)
    {
        if (component.Length == 0)
        {
            return EmptyComponent.Length;
        }

        var span = component.AsSpan();
        var first = span.IndexOfAny(Reserved);
        if (first < 0)
        {
            return component.Length;
        }

        // Each reserved character becomes three ("%7B").
        var reserved = 0;
        foreach (var c in span[first..])
        {
            if (Reserved.Contains(c))
            {
                reserved++;
            }
        }

        return component.Length + (2 * reserved);
    }

    private static int WriteEscaped(Span<char> destination, string component)
    {
        if (component.Length == 0)
        {
            EmptyComponent.AsSpan().CopyTo(destination);
            return EmptyComponent.Length;
        }

        var source = component.AsSpan();
        if (source.IndexOfAny(Reserved) < 0)
        {
            source.CopyTo(destination);
            return source.Length;
        }

        var position = 0;
        foreach (var c in source)
        {
            if (Reserved.Contains(c))
            {
                destination[position++] = '%';
                destination[position++] = HexDigit(c >> 4);
                destination[position++] = HexDigit(c & 0xF);
            }
            else
            {
                destination[position++] = c;
            }
        }

        return position;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static bool TryUnescape(ReadOnlySpan<char> escaped, out string component)
    {
        component = string.Empty;
        if (escaped.SequenceEqual(EmptyComponent))
        {
            return true;
        }

        if (escaped.IsEmpty)
        {
            return false;
        }

        if (escaped.IndexOf('%') < 0)
        {
            if (escaped.IndexOfAny(Reserved) >= 0)
            {
                return false;
            }

            component = escaped.ToString();
            return true;
        }

        var result = new System.Text.StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c != '%')
            {
                if (Reserved.Contains(c))
                {
                    return false;
                }

                result.Append(c);
                continue;
            }

            if (i + 2 >= escaped.Length
                || !int.TryParse(escaped.Slice(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var code)
                || !Reserved.Contains((char)code))
            {
                return false;
            }

            result.Append((char)code);
            i += 2;
        }

        component = result.ToString();
        return true;
    }
}
