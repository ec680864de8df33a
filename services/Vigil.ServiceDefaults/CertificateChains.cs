using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.ServiceDefaults;

/// <summary>
/// Whether a certificate chains to one private CA, trusting only that CA (not the machine's store): a private CA
/// vouches for Vigil's own servers and clients only, and a public CA must not be able to impersonate them.
/// </summary>
public static class CertificateChains
{
    /// <summary>Extended key usage of a TLS server certificate.</summary>
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    /// <summary>Extended key usage of a TLS client certificate.</summary>
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>
    /// True when <paramref name="leaf"/>, with the intermediates the peer sent in <paramref name="presented"/>, chains
    /// to <paramref name="authority"/> and is valid for <paramref name="usage"/>. Revocation is not checked: a private
    /// CA of a deployment publishes no revocation lists.
    /// </summary>
    public static bool ChainsTo(X509Certificate2 leaf, X509Chain? presented, X509Certificate2 authority, Oid usage) =>
        ChainsTo(leaf, presented, authority, usage, out _);

    /// <summary>
    /// As <see cref="ChainsTo(X509Certificate2, X509Chain?, X509Certificate2, Oid)"/>; when it does not chain,
    /// <paramref name="status"/> names why (the chain's status flags, e.g. "UntrustedRoot, NotValidForUsage"), for a
    /// log line that says what to fix.
    /// </summary>
    public static bool ChainsTo(X509Certificate2 leaf, X509Chain? presented, X509Certificate2 authority, Oid usage, out string status)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(authority);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(usage);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(leaf))
        {
            status = string.Empty;
            return true;
        }

        status = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
        return false;
    }
}
