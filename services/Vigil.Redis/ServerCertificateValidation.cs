using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.Redis;

/// <summary>
/// Decides whether to trust a Redis server certificate and remembers why it last refused one: the client library
/// reports only its latest connection error, which a quick reconnection attempt can overwrite with a generic one.
/// With a configured CA, only that CA is trusted (not the machine's store): a private Redis CA vouches for Redis
/// servers only, and a public CA must not be able to impersonate them.
/// </summary>
internal sealed class ServerCertificateValidation(X509Certificate2? authority)
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

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

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (presentedChain is not null)
        {
            // Intermediates the server sent along with its certificate.
            foreach (var element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(leaf))
        {
            return null;
        }

        var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
        return $"the server certificate '{leaf.Subject}' (issuer '{leaf.Issuer}') does not chain to the CA in Redis:CaCertificatePath ({status})";
    }
}
