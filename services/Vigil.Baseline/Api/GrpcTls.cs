using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Vigil.ServiceDefaults;

namespace Vigil.Baseline.Api;

/// <summary>
/// Serves the gRPC endpoint over TLS from PEM files, and checks client certificates against the configured CA only
/// (a private CA vouches for the baseline's clients; a public one must not be able to).
/// </summary>
internal static class GrpcTls
{
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
            ClientCertificateValidation = authority is null ? null : (client, presented, _) => CertificateChains.ChainsTo(client, presented, authority, CertificateChains.ClientAuthentication),
        });
    }
}
