namespace Vigil.Baseline.Learning;

/// <summary>
/// How an image talks on the network: transport, application protocol ("raw" when none was recognised) and the class
/// of the destination port. Text form "tcp/https/well-known" is what profiles store and alerts show.
/// </summary>
public readonly record struct ProtocolSignature(string Transport, string Protocol, PortClass PortClass)
{
    /// <summary>The application protocol of a connection nothing recognised: a hand-rolled socket.</summary>
    public const string Raw = "raw";

    public const string UnknownTransport = "unknown";

    // Every observation's signature is shown as text several times (host view, contribution, suppression); there are
    // few distinct signatures, so each text is built once. Bounded: past the cap, texts are built each time.
    private static readonly BoundedCache<ProtocolSignature, string> Texts = new(4096);

    public bool IsRawSocket => Protocol == Raw;

    public static ProtocolSignature Of(string transport, string protocol, long port)
    {
        // '/' separates the parts of the text form, so it cannot appear inside one.
        var t = transport.Length == 0 ? UnknownTransport : transport.ToLowerInvariant().Replace('/', '_');
        var p = protocol.Length == 0 ? Raw : protocol.ToLowerInvariant().Replace('/', '_');

        // Lookups name no destination port; DNS is a well-known service by definition.
        var portClass = port == 0 && p == "dns" ? PortClass.WellKnown : PortClasses.Of(port);
        return new ProtocolSignature(t, p, portClass);
    }

    public static bool TryParse(string text, out ProtocolSignature signature)
    {
        var parts = text.Split('/');
        if (parts.Length == 3 && parts[0].Length > 0 && parts[1].Length > 0 && PortClasses.TryParse(parts[2], out var portClass))
        {
            signature = new ProtocolSignature(parts[0], parts[1], portClass);
            return true;
        }

        signature = default;
        return false;
    }

    public override string ToString() => Texts.GetOrAdd(this, static s => $"{s.Transport}/{s.Protocol}/{PortClasses.Text(s.PortClass)}");
}
