namespace Vigil.Testing;

/// <summary>A PEM certificate and its unencrypted PEM private key, as files.</summary>
public sealed record TestCertificate(string CertificatePath, string KeyPath);
