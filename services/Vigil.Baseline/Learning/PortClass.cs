namespace Vigil.Baseline.Learning;

/// <summary>IANA's port ranges: what kind of service a destination port suggests.</summary>
public enum PortClass
{
    /// <summary>No port (e.g. ICMP) or one outside 0-65535.</summary>
    None,

    /// <summary>0-1023: system services (http, ftp, ssh, dns...).</summary>
    WellKnown,

    /// <summary>1024-49151: registered services, and where hand-rolled listeners (4444, 1337, 9001) usually sit.</summary>
    Registered,

    /// <summary>49152-65535: dynamic ports, normally the client side of a connection.</summary>
    Ephemeral,
}
