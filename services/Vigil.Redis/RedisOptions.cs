using System.Globalization;
using StackExchange.Redis;

namespace Vigil.Redis;

/// <summary>Where Vigil's Redis is and how to reach it securely; bound from the "Redis" configuration section.</summary>
public sealed class RedisOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string Section = "Redis";

    /// <summary>Key prefix used when none is configured.</summary>
    public const string DefaultKeyPrefix = "vigil";

    /// <summary>
    /// Server endpoints as host:port (IPv6 as [addr]:port). An entry may also hold a comma-separated list,
    /// so a single environment variable or Helm value can carry all seeds.
    /// </summary>
    public List<string> Endpoints { get; set; } = [];

    public RedisMode Mode { get; set; } = RedisMode.Standalone;

    /// <summary>ACL user name; needs <see cref="Password"/> or <see cref="PasswordFile"/>.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>File holding the password (a mounted Kubernetes secret); one trailing line break is ignored.</summary>
    public string? PasswordFile { get; set; }

    public bool Ssl { get; set; }

    /// <summary>Name the server certificate must carry; needed when endpoints are IP addresses (as Cluster nodes announce themselves).</summary>
    public string? SslHost { get; set; }

    /// <summary>PEM file of the CA the server certificate must chain to; when set, only this CA is trusted.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>PEM client certificate for mutual TLS.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificatePath"/>; omit when the key is in the certificate file.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>
    /// The protocol to speak: Resp2 or Resp3. Unset leaves it to the client, which asks for RESP3 (Redis 6 and later
    /// speak it) and speaks RESP2 to a server that does not offer it. Vigil reads every reply the same under both.
    /// </summary>
    public RedisProtocol? Protocol { get; set; }

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan SyncTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan AsyncTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First component of every key, so several deployments can share one Redis.</summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>The configured endpoints with comma-separated entries split and blanks removed.</summary>
    public IReadOnlyList<string> EndpointList() =>
        Endpoints
            .SelectMany(e => e.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToArray();

    /// <summary>Every problem with these options, each naming its configuration key; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var endpoints = EndpointList();
        if (endpoints.Count == 0)
        {
            errors.Add(Mode == RedisMode.Cluster
                ? "Redis:Endpoints is empty: list at least one cluster node as host:port (one seed is enough, the others are discovered)."
                : "Redis:Endpoints is empty: list the Redis server as host:port.");
        }

        foreach (var endpoint in endpoints)
        {
            if (!IsValidEndpoint(endpoint))
            {
                errors.Add($"Redis:Endpoints: '{endpoint}' is not host:port (use [address]:port for IPv6; port 1-65535).");
            }
        }

        if (!Enum.IsDefined(Mode))
        {
            errors.Add($"Redis:Mode: '{Mode}' is not one of Standalone, Cluster.");
        }

        if (Protocol is { } protocol && !Enum.IsDefined(protocol))
        {
            // The same line a name that is no protocol gets from UnreadableSettings (a number binds to the enum unchecked).
            errors.Add($"Redis:Protocol: '{protocol}' is not one of Resp2, Resp3.");
        }

        if (Password is not null && PasswordFile is not null)
        {
            errors.Add("Redis:Password and Redis:PasswordFile are both set: set only one.");
        }

        if (!string.IsNullOrEmpty(User) && Password is null && PasswordFile is null)
        {
            // Without a password the client would skip AUTH and silently run as the default user.
            errors.Add($"Redis:User is '{User}' but neither Redis:Password nor Redis:PasswordFile is set.");
        }

        RequireReadableFile(errors, "Redis:PasswordFile", PasswordFile);

        if (!Ssl)
        {
            foreach (var (key, value) in new[]
            {
                ("Redis:SslHost", SslHost), ("Redis:CaCertificatePath", CaCertificatePath),
                ("Redis:ClientCertificatePath", ClientCertificatePath), ("Redis:ClientKeyPath", ClientKeyPath),
            })
            {
                if (value is not null)
                {
                    errors.Add($"{key} is set but Redis:Ssl is false: set Redis:Ssl to true to use TLS.");
                }
            }
        }

        RequireReadableFile(errors, "Redis:CaCertificatePath", CaCertificatePath);
        RequireReadableFile(errors, "Redis:ClientCertificatePath", ClientCertificatePath);
        RequireReadableFile(errors, "Redis:ClientKeyPath", ClientKeyPath);
        if (ClientKeyPath is not null && ClientCertificatePath is null)
        {
            errors.Add("Redis:ClientKeyPath is set without Redis:ClientCertificatePath.");
        }

        RequireTimeout(errors, "Redis:ConnectTimeout", ConnectTimeout);
        RequireTimeout(errors, "Redis:SyncTimeout", SyncTimeout);
        RequireTimeout(errors, "Redis:AsyncTimeout", AsyncTimeout);

        if (RedisKeys.DescribeInvalidPrefix(KeyPrefix) is { } prefixProblem)
        {
            errors.Add($"Redis:KeyPrefix: {prefixProblem}");
        }

        return errors;
    }

    /// <summary>The password from <see cref="Password"/> or read from <see cref="PasswordFile"/>; null when none is configured.</summary>
    public string? ResolvePassword()
    {
        if (PasswordFile is null)
        {
            return Password;
        }

        var text = File.ReadAllText(PasswordFile);

        // Secrets written with echo or an editor end with a line break that is not part of the password.
        return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2]
            : text.EndsWith('\n') ? text[..^1]
            : text;
    }

    private static bool IsValidEndpoint(string endpoint)
    {
        var separator = endpoint.LastIndexOf(':');
        var closingBracket = endpoint.LastIndexOf(']');

        // A port is required: defaulting to 6379 hides typos such as "redis:6397x" becoming a host name.
        return separator > 0
            && separator > closingBracket
            && int.TryParse(endpoint.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535
            && EndPointCollection.TryParse(endpoint) is not null;
    }

    private static void RequireReadableFile(List<string> errors, string key, string? path)
    {
        if (path is null)
        {
            return;
        }

        if (path.Length == 0)
        {
            errors.Add($"{key} is empty: remove it or give a file path.");
        }
        else if (!File.Exists(path))
        {
            errors.Add($"{key}: file '{path}' does not exist.");
        }
    }

    private static void RequireTimeout(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            errors.Add($"{key} must be positive and at most {TimeSpan.FromMilliseconds(int.MaxValue)} (got {value}).");
        }
    }
}
