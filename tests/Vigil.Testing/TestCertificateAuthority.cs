namespace Vigil.Testing;

/// <summary>
/// A throwaway certificate authority made with openssl, issuing server and client certificates for TLS tests.
/// Keys are P-256 (fast to generate); certificates are valid for two days.
/// </summary>
public sealed class TestCertificateAuthority
{
    private static readonly TimeSpan OpenSslDeadline = TimeSpan.FromSeconds(60);

    private readonly string openssl;
    private readonly string directory;

    private TestCertificateAuthority(string openssl, string directory, TestCertificate certificate)
    {
        this.openssl = openssl;
        this.directory = directory;
        Certificate = certificate;
    }

    /// <summary>True when openssl is on PATH; TLS tests skip otherwise.</summary>
    public static bool IsOpenSslAvailable => ExternalTool.Find("openssl") is not null;

    /// <summary>The CA certificate (what clients trust) and its key.</summary>
    public TestCertificate Certificate { get; }

    /// <summary>Creates a CA named <paramref name="commonName"/> with files "<paramref name="name"/>.crt/.key" in <paramref name="directory"/>.</summary>
    public static async Task<TestCertificateAuthority> CreateAsync(string directory, string name = "ca", string commonName = "Vigil test CA")
    {
        var openssl = ExternalTool.Require("openssl", "openssl");
        var certificate = new TestCertificate(Path.Combine(directory, name + ".crt"), Path.Combine(directory, name + ".key"));
        await RunAsync(openssl, directory,
        [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", certificate.KeyPath, "-out", certificate.CertificatePath, "-days", "2", "-subj", "/CN=" + commonName,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        return new TestCertificateAuthority(openssl, directory, certificate);
    }

    /// <summary>
    /// Issues a server certificate for <paramref name="subjectAltNames"/> (e.g. "DNS:localhost", "IP:127.0.0.1"),
    /// usable for both server and client authentication, as Redis Cluster nodes also connect to each other.
    /// </summary>
    public Task<TestCertificate> IssueServerCertificateAsync(string name, params string[] subjectAltNames) =>
        IssueAsync(name, subjectAltNames.FirstOrDefault()?.Split(':', 2)[1] ?? name, "serverAuth,clientAuth", subjectAltNames);

    /// <summary>Issues a client certificate for mutual TLS.</summary>
    public Task<TestCertificate> IssueClientCertificateAsync(string name) =>
        IssueAsync(name, name, "clientAuth", []);

    private async Task<TestCertificate> IssueAsync(string name, string commonName, string extendedKeyUsage, string[] subjectAltNames)
    {
        var issued = new TestCertificate(Path.Combine(directory, name + ".crt"), Path.Combine(directory, name + ".key"));
        var arguments = new List<string>
        {
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", issued.KeyPath, "-out", issued.CertificatePath, "-days", "2", "-subj", "/CN=" + commonName,
            "-CA", Certificate.CertificatePath, "-CAkey", Certificate.KeyPath,
            "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=" + extendedKeyUsage,
        };
        if (subjectAltNames.Length > 0)
        {
            arguments.AddRange(["-addext", "subjectAltName=" + string.Join(',', subjectAltNames)]);
        }

        await RunAsync(openssl, directory, arguments);
        return issued;
    }

    private static async Task RunAsync(string openssl, string directory, IReadOnlyList<string> arguments)
    {
        var (exitCode, output) = await ExternalTool.RunAsync(openssl, arguments, OpenSslDeadline, directory);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed with exit code {exitCode}:\n{output}");
        }
    }
}
