using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.ServiceDefaults;

/// <summary>
/// The HTTP handler a gRPC client of a Vigil service uses: TLS trusting only the named CA when one is given (else
/// the machine's store), a client certificate for mutual TLS, and a bearer token on every call.
/// </summary>
public static class GrpcClientHandler
{
    public static HttpMessageHandler Create(string? caCertificatePath, string? clientCertificatePath, string? clientKeyPath, string? bearerToken)
    {
        var sockets = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (!string.IsNullOrEmpty(caCertificatePath))
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(caCertificatePath);
            sockets.SslOptions.RemoteCertificateValidationCallback = (_, certificate, presented, errors) =>
                Trusted(certificate, presented, errors, authority);
        }

        if (!string.IsNullOrEmpty(clientCertificatePath))
        {
            sockets.SslOptions.ClientCertificates =
                [X509Certificate2.CreateFromPemFile(clientCertificatePath, string.IsNullOrEmpty(clientKeyPath) ? null : clientKeyPath)];
        }

        return string.IsNullOrEmpty(bearerToken) ? sockets : new BearerToken(bearerToken, sockets);
    }

    private static bool Trusted(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2 authority)
    {
        // A name mismatch is fatal whatever the issuer.
        if (certificate is not X509Certificate2 leaf || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        return CertificateChains.ChainsTo(leaf, presented, authority, CertificateChains.ServerAuthentication);
    }

    private sealed class BearerToken(string token, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
