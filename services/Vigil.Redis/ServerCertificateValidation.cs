using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Vigil.ServiceDefaults;

namespace Vigil.Redis;

/// <summary>
/// Decides whether to trust a Redis server certificate and remembers why it last refused one: the client library
/// reports only its latest connection error, which a quick reconnection attempt can overwrite with a generic one.
/// With a configured CA, only that CA is trusted (not the machine's store): a private Redis CA vouches for Redis
/// servers only, and a public CA must not be able to impersonate them.
/// </summary>
internal sealed class ServerCertificateValidation(X509Certificate2? authority)
{
    private volatile string? lastRejection;

    /// <summary>Why the most recent certificate was refused; null when the most recent one was accepted.</summary>
    public string? LastRejection => lastRejection;

    public static ServerCertificateValidation Create(string? caCertificatePath) =>
        new(caCertificatePath is null ? null : X509CertificateLoader.LoadCertificateFromFile(caCertificatePath));

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        var rejection = Check(certificate, presentedChain, errors);
        lastRejection = rejection;
        return rejection is null;
    }

    private string? Check(X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (certificate is not X509Certificate2 leaf)
        {
            return "the server sent no certificate";
        }

        // A name mismatch is fatal whatever the issuer.
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return $"the server certificate '{leaf.Subject}' is not issued for the expected host name (Redis:SslHost, else the endpoint host)";
        }

        if (authority is null)
        {
            return errors == SslPolicyErrors.None ? null : $"the server certificate '{leaf.Subject}' is not trusted by this machine ({errors})";
        }

        if (CertificateChains.ChainsTo(leaf, presentedChain, authority, CertificateChains.ServerAuthentication, out var status))
        {
            return null;
        }

        return $"the server certificate '{leaf.Subject}' (issuer '{leaf.Issuer}') does not chain to the CA in Redis:CaCertificatePath ({status})";
    }
}
