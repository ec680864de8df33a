using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Vigil.Baseline.Api;

/// <summary>
/// Serves the gRPC endpoint over TLS from PEM files, and checks client certificates against the configured CA only
/// (a private CA vouches for the baseline's clients; a public one must not be able to).
/// </summary>
internal static class GrpcTls
{
    private static readonly System.Security.Cryptography.Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public static void Use(ListenOptions listen, BaselineApiOptions options)
    {
        var certificate = X509Certificate2.CreateFromPemFile(options.CertificatePath!, string.IsNullOrEmpty(options.KeyPath) ? null : options.KeyPath);
        var authority = string.IsNullOrEmpty(options.ClientCaCertificatePath)
            ? null
            : X509CertificateLoader.LoadCertificateFromFile(options.ClientCaCertificatePath);
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = certificate,
            ClientCertificateMode = authority is null
                ? ClientCertificateMode.NoCertificate
                : options.RequireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = authority is null ? null : (client, presented, _) => ChainsTo(client, presented, authority),
        });
    }

    private static bool ChainsTo(X509Certificate2 client, X509Chain? presented, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(client);
    }
}
