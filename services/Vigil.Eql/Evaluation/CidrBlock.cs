using System.Net;
using System.Net.Sockets;
using System.Globalization;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// An IPv4 or IPv6 CIDR block. Host bits in the written address are ignored ("10.6.48.157/8" is 10.0.0.0/8), as
/// Elasticsearch's cidrMatch accepts them.
/// </summary>
internal sealed class CidrBlock
{
    private readonly byte[] network;
    private readonly int prefix;

    private CidrBlock(byte[] network, int prefix)
    {
        this.network = network;
        this.prefix = prefix;
    }

    public static CidrBlock? TryParse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address))
        {
            return null;
        }

        var bytes = address.GetAddressBytes();
        var prefix = bytes.Length * 8;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bytes.Length * 8))
        {
            return null;
        }

        return new CidrBlock(bytes, prefix);
    }

    public bool Contains(ReadOnlySpan<byte> address)
    {
        if (address.Length != this.network.Length)
        {
            return false;
        }

        var whole = this.prefix / 8;
        if (!address[..whole].SequenceEqual(this.network.AsSpan(0, whole)))
        {
            return false;
        }

        var rest = this.prefix % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (address[whole] & mask) == (this.network[whole] & mask);
    }

    /// <summary>Writes the address bytes of <paramref name="text"/> (IPv4-mapped IPv6 addresses as IPv4); false if it is not an IP.</summary>
    public static bool TryReadAddress(string text, Span<byte> buffer, out int length)
    {
        if (TryReadDottedQuad(text, buffer))
        {
            // Most addresses in telemetry: read without the IPAddress object (and its garbage) per evaluated event.
            length = 4;
            return true;
        }

        length = 0;
        if (!IPAddress.TryParse(text, out var address))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.TryWriteBytes(buffer, out length);
    }

    /// <summary>
    /// Reads the canonical IPv4 form only: four decimal octets of one to three digits, no leading zero, each at most 255.
    /// Every other text (leading zeros, which <see cref="IPAddress.TryParse(string, out IPAddress)"/> reads as octal,
    /// short or hexadecimal forms, IPv6) is left to <see cref="IPAddress"/>, so what is accepted and how it reads is unchanged.
    /// </summary>
    internal static bool TryReadDottedQuad(ReadOnlySpan<char> text, Span<byte> buffer)
    {
        var octet = 0;
        var value = 0;
        var digits = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (digits == 0 || octet == 3)
                {
                    return false;
                }

                buffer[octet++] = (byte)value;
                value = 0;
                digits = 0;
                continue;
            }

            var digit = c - '0';
            if ((uint)digit > 9 || digits == 3 || (digits == 1 && value == 0))
            {
                return false;
            }

            value = (value * 10) + digit;
            if (value > 255)
            {
                return false;
            }

            digits++;
        }

        if (digits == 0 || octet != 3)
        {
            return false;
        }

        buffer[3] = (byte)value;
        return true;
    }
}
