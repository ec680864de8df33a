namespace Vigil.Testing;

/// <summary>TLS set-up of a <see cref="RedisServer"/>: it then listens for TLS only.</summary>
/// <param name="CaCertificatePath">CA the server trusts for client certificates.</param>
/// <param name="Server">The server's certificate and key.</param>
/// <param name="RequiredClient">When set, clients must present a certificate from the CA; the fixture's own probe presents this one.</param>
public sealed record RedisServerTls(string CaCertificatePath, TestCertificate Server, TestCertificate? RequiredClient = null);
