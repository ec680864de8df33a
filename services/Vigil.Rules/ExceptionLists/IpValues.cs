using System.Net;

namespace Vigil.Rules.ExceptionLists;

/// <summary>
/// IP values of "ip" and "ip_range" value lists: an address, a CIDR block ("10.0.0.0/8") or a dash range
/// ("10.0.0.1-10.0.0.9", as Kibana's ip_range lists write them), each read as an inclusive range of addresses.
/// </summary>
internal static class IpValues
{
    public static (byte[] Low, byte[] High)? Parse(string text, bool allowRange)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            return allowRange && IPAddress.TryParse(text[..dash].Trim(), out var low) && IPAddress.TryParse(text[(dash + 1)..].Trim(), out var high)
                && low.AddressFamily == high.AddressFamily
                ? (low.GetAddressBytes(), high.GetAddressBytes())
                : null;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return IPAddress.TryParse(text, out var single) ? (single.GetAddressBytes(), single.GetAddressBytes()) : null;
        }

        if (!allowRange || !IPAddress.TryParse(text[..slash], out var network) || !int.TryParse(text[(slash + 1)..], out var bits))
        {
            return null;
        }

        var bytes = network.GetAddressBytes();
        if (bits < 0 || bits > bytes.Length * 8)
        {
            return null;
        }

        var first = (byte[])bytes.Clone();
        var last = (byte[])bytes.Clone();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(bits - (i * 8), 0, 8);
            var mask = (byte)(0xFF << (8 - keep));
            first[i] = (byte)(bytes[i] & mask);
            last[i] = (byte)(bytes[i] | ~mask);
        }

        return (first, last);
    }

    public static bool Contains((byte[] Low, byte[] High) range, string address)
    {
        if (!IPAddress.TryParse(address, out var parsed))
        {
            return false;
        }

        if (parsed.IsIPv4MappedToIPv6 && range.Low.Length == 4)
        {
            parsed = parsed.MapToIPv4();
        }

        var bytes = parsed.GetAddressBytes();
        return bytes.Length == range.Low.Length
            && bytes.AsSpan().SequenceCompareTo(range.Low) >= 0
            && bytes.AsSpan().SequenceCompareTo(range.High) <= 0;
    }
}
