namespace Vigil.Baseline.Api;

/// <summary>
/// Transport security and read access of the baseline's gRPC API (configuration section "Baseline:Api"), configured
/// like the Redis TLS options: PEM files, a private CA for client certificates, and nothing trusted by default that
/// was not named.
/// </summary>
public sealed class BaselineApiOptions
{
    public const string Section = "Baseline:Api";

    /// <summary>PEM server certificate (with its intermediates). When set, gRPC is served over TLS and Baseline:GrpcUrl must be https://.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="CertificatePath"/>; omit when the key is in the certificate file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// PEM file of the CA client certificates must chain to. When set, clients may present a certificate, and one
    /// that does not chain to this CA (only this CA, not the machine's store) is refused.
    /// </summary>
    public string? ClientCaCertificatePath { get; set; }

    /// <summary>Refuse TLS connections that present no client certificate (mutual TLS). Needs <see cref="ClientCaCertificatePath"/>.</summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>
    /// A file holding the read token. When set, GetProfile, ListProfiles and ExplainAlert need it (or the change
    /// token) as "authorization: Bearer &lt;token&gt;", except from loopback while <see cref="AllowLoopbackReads"/> is on.
    /// Unset, reads are open to anyone who can reach the port.
    /// </summary>
    public string? ReadTokenFile { get; set; }

    /// <summary>Whether loopback callers may read without a token (off behind a service-mesh sidecar, which proxies from loopback).</summary>
    public bool AllowLoopbackReads { get; set; } = true;

    public bool UsesTls => !string.IsNullOrEmpty(CertificatePath);
}
