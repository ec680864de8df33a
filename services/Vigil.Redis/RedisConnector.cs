using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Vigil.Redis;

/// <summary>
/// Opens the one <see cref="IConnectionMultiplexer"/> a Vigil process shares, from <see cref="RedisOptions"/>,
/// and probes it for readiness checks. The multiplexer reconnects by itself; a probe says why a server is
/// unreachable (refused, wrong password, TLS) so an operator can act on a failed readiness check.
/// </summary>
public sealed class RedisConnector : IAsyncDisposable, IDisposable
{
    private readonly HandshakeVerdicts verdicts = new();
    private readonly ILogger logger;
    private readonly ILoggerFactory loggerFactory;
    private readonly Lazy<Task<ConnectionMultiplexer>> connection;
    private readonly ServerCertificateValidation certificateValidation;

    /// <exception cref="OptionsValidationException">The options are not usable; the message lists every problem.</exception>
    public RedisConnector(RedisOptions options, ILoggerFactory? loggerFactory = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(RedisOptions.Section, typeof(RedisOptions), errors);
        }

        Options = options;
        Keys = new RedisKeys(options.KeyPrefix);
        this.loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        logger = this.loggerFactory.CreateLogger<RedisConnector>();
        certificateValidation = ServerCertificateValidation.Create(options.CaCertificatePath);
        connection = new Lazy<Task<ConnectionMultiplexer>>(OpenAsync);
    }

    public RedisOptions Options { get; }

    /// <summary>Key builder using the configured <see cref="RedisOptions.KeyPrefix"/>.</summary>
    public RedisKeys Keys { get; }

    /// <summary>
    /// The shared multiplexer, opened on first call. It is returned even when no server answered yet
    /// (AbortOnConnectFail is off): commands wait in its backlog and the multiplexer keeps reconnecting.
    /// </summary>
    public async Task<IConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken = default) =>
        await connection.Value.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// PINGs every known primary. Throws <see cref="RedisConnectionException"/> naming each unreachable primary
    /// and why it failed (refused, authentication, TLS); otherwise returns the slowest round trip.
    /// An unreachable primary is reported after at most <see cref="RedisOptions.AsyncTimeout"/> plus
    /// <see cref="RedisOptions.ConnectTimeout"/>: the PING waits for a reconnection that long, and the reason is the
    /// verdict of the client's latest connection attempt (waited for when one is still in flight), not the PING's error.
    /// </summary>
    public async Task<RedisPing> PingAsync(CancellationToken cancellationToken = default)
    {
        var multiplexer = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var servers = multiplexer.GetServers();
        var primaries = servers.Where(s => !s.IsReplica).ToArray();
        var probes = primaries.Select(s => ProbeAsync(s, cancellationToken)).ToArray();
        var results = await Task.WhenAll(probes).ConfigureAwait(false);

        var failures = results.Where(r => r.Failure is not null).ToArray();
        if (failures.Length > 0 || results.Length == 0)
        {
            var failureType = failures.Select(f => f.FailureType).FirstOrDefault(t => t != ConnectionFailureType.None, ConnectionFailureType.UnableToConnect);
            var detail = results.Length == 0
                ? $"no Redis server is known (endpoints: {string.Join(", ", Options.EndpointList())})"
                : string.Join("; ", failures.Select(f => $"{EndPointCollection.ToString(f.EndPoint)}: {f.Failure}"));
            throw new RedisConnectionException(
                failureType,
                CommandFlags.None,
                $"Redis is not available: {detail}.",
                failures.Select(f => f.Exception).FirstOrDefault(e => e is not null),
                CommandStatus.Unknown);
        }

        return new RedisPing(
            results.Max(r => r.Latency),
            results.Select(r => r.EndPoint).ToArray(),
            DescribeModeMismatch(servers))
        {
            Protocol = primaries.Select(p => p.Protocol).Min(),
        };
    }

    /// <summary>Client configuration for <paramref name="options"/>; reads the password and certificate files.</summary>
    public static ConfigurationOptions CreateConfiguration(RedisOptions options, ILoggerFactory? loggerFactory = null) =>
        CreateConfiguration(options, loggerFactory, ServerCertificateValidation.Create(options.CaCertificatePath));

    private static ConfigurationOptions CreateConfiguration(RedisOptions options, ILoggerFactory? loggerFactory, ServerCertificateValidation certificateValidation)
    {
        var configuration = new ConfigurationOptions
        {
            // Start even when Redis is down: the multiplexer reconnects and readiness reports the outage.
            AbortOnConnectFail = false,
            ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds,
            SyncTimeout = (int)options.SyncTimeout.TotalMilliseconds,
            AsyncTimeout = (int)options.AsyncTimeout.TotalMilliseconds,

            // Randomized exponential backoff from 250 ms up to 10 s, so a fleet of consumers does not
            // reconnect in lockstep after a Redis failover.
            ReconnectRetryPolicy = new ExponentialRetry(250, 10_000),

            // Vigil never elects primaries through the client; without these the client would GET a tie-breaker key
            // and SUBSCRIBE to a broadcast channel, both refused to a least-privilege ACL user (~vigil:* resetchannels).
            TieBreaker = string.Empty,
            ConfigurationChannel = string.Empty,

            User = string.IsNullOrEmpty(options.User) ? null : options.User,
            Password = options.ResolvePassword(),
            Ssl = options.Ssl,
            SslHost = options.SslHost,
            LoggerFactory = loggerFactory,
        };

        // Only when configured: left unset, the client negotiates (RESP3 where the server offers it).
        if (options.Protocol is { } protocol)
        {
            configuration.Protocol = protocol;
        }

        foreach (var endpoint in options.EndpointList())
        {
            configuration.EndPoints.Add(endpoint);
        }

        if (options.Ssl)
        {
            configuration.CertificateValidation += certificateValidation.Validate;
        }

        if (options.ClientCertificatePath is not null)
        {
            configuration.SetUserPemCertificate(options.ClientCertificatePath, options.ClientKeyPath);
        }

        return configuration;
    }

    public async ValueTask DisposeAsync()
    {
        if (connection.IsValueCreated && connection.Value.IsCompletedSuccessfully)
        {
            await connection.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (connection.IsValueCreated && connection.Value.IsCompletedSuccessfully)
        {
            connection.Value.Result.Dispose();
        }
    }

    private async Task<ConnectionMultiplexer> OpenAsync()
    {
        var configuration = CreateConfiguration(Options, loggerFactory, certificateValidation);

        // On the configuration, so the first attempt (made inside ConnectAsync) is seen too.
        configuration.ConnectionAttemptCompleted += (_, attempt) => verdicts.Record(attempt);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        if (!multiplexer.IsConnected)
        {
            logger.LogWarning("Redis is not reachable yet at {Endpoints}; reconnecting in the background", string.Join(", ", Options.EndpointList()));
        }
        else
        {
            // Which protocol is in use is the client's choice unless Redis:Protocol is set: say which it is.
            // A connection can drop between the check above and here: no server connected then says "unknown", never throws
            // (a throw here would fail this connector's one connection task for good).
            var protocol = multiplexer.GetServers().Where(s => s.IsConnected).Select(s => (RedisProtocol?)s.Protocol).Min();
            logger.LogInformation("Connected to Redis at {Endpoints} over {Protocol}", string.Join(", ", Options.EndpointList()), protocol?.ToString() ?? "unknown");
        }

        return multiplexer;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        logger.LogWarning(e.Exception, "Redis connection to {Endpoint} ({ConnectionType}) failed: {FailureType}", EndPointCollection.ToString(e.EndPoint), e.ConnectionType, e.FailureType);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        logger.LogInformation("Redis connection to {Endpoint} ({ConnectionType}) restored", EndPointCollection.ToString(e.EndPoint), e.ConnectionType);
    }

    private async Task<NodeProbe> ProbeAsync(IServer server, CancellationToken cancellationToken)
    {
        try
        {
            var latency = await server.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return new NodeProbe(server.EndPoint, latency, null, ConnectionFailureType.None, null);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            if (server.IsConnected)
            {
                // Connected again by now: the PING's own failure (a dropped connection, a slow server) is the story.
                var connectedType = (e as RedisConnectionException)?.FailureType ?? ConnectionFailureType.None;
                var failure = connectedType == ConnectionFailureType.None ? e.Message : Describe(connectedType, e, null, certificateValidation.LastRejection);
                return new NodeProbe(server.EndPoint, TimeSpan.Zero, failure, connectedType, e);
            }

            // Not connected: why is what the connection attempts found, not what the PING's wait last saw. An
            // attempt still in flight ends within ConnectTimeout, so waiting that long settles it.
            var verdict = await verdicts.LatestFailureAsync(server.EndPoint, Options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            var type = Classify(e, verdict);
            return new NodeProbe(server.EndPoint, TimeSpan.Zero, Describe(type, e, verdict?.Exception, certificateValidation.LastRejection), type, e);
        }
    }

    /// <summary>
    /// Why a server that is not connected failed its probe. The server's own refusal (NOAUTH, WRONGPASS) or a failed
    /// TLS or handshake stage of an attempt outranks the PING's failure, which may only say that nothing connected
    /// in time. A connect-stage failure (refused, unreachable) keeps the PING's own classification.
    /// </summary>
    private static ConnectionFailureType Classify(Exception pingFailure, HandshakeVerdict? verdict)
    {
        if (IsAuthenticationRefusal(pingFailure) || (verdict?.Exception is { } attemptFailure && IsAuthenticationRefusal(attemptFailure)))
        {
            return ConnectionFailureType.AuthenticationFailure;
        }

        if (verdict is { Stage: ConnectionAttemptStage.Tls or ConnectionAttemptStage.Handshake, FailureType: not ConnectionFailureType.None })
        {
            return verdict.FailureType;
        }

        return pingFailure is RedisConnectionException { FailureType: not ConnectionFailureType.None } connectionFailure
            ? connectionFailure.FailureType
            : ConnectionFailureType.UnableToConnect;
    }

    /// <summary>Whether the server refused the credentials: Redis answers NOAUTH (no or wrong password) or WRONGPASS (ACL user).</summary>
    private static bool IsAuthenticationRefusal(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (StartsWithRefusal(e.Message))
            {
                return true;
            }
        }

        return false;
    }

    private static bool StartsWithRefusal(string message)
    {
        // The client may put the kind of reply before the server's text ("SimpleError: NOAUTH ...").
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        var text = colon is > 0 and < 16 && !message[..colon].Contains(' ', StringComparison.Ordinal) ? message[(colon + 2)..] : message;
        return text.StartsWith("NOAUTH ", StringComparison.Ordinal) || text.StartsWith("WRONGPASS ", StringComparison.Ordinal);
    }

    private string? DescribeModeMismatch(IServer[] servers)
    {
        var expected = Options.Mode == RedisMode.Cluster ? ServerType.Cluster : ServerType.Standalone;
        var mismatched = servers.Where(s => s.IsConnected && s.ServerType != expected).ToArray();
        return mismatched.Length == 0
            ? null
            : $"Redis:Mode is {Options.Mode} but {string.Join(", ", mismatched.Select(s => $"{EndPointCollection.ToString(s.EndPoint)} is {s.ServerType}"))}.";
    }

    private static string Describe(ConnectionFailureType type, Exception exception, Exception? attemptFailure, string? certificateRejection) => type switch
    {
        // Checked first: the client reports a refused certificate as an authentication failure too, and a refused
        // certificate is often hidden behind the generic error of the reconnection attempt that followed it.
        _ when certificateRejection is not null =>
            $"TLS handshake failed: {certificateRejection}",
        _ when IsTlsFailure(exception) || (attemptFailure is not null && IsTlsFailure(attemptFailure)) =>
            $"TLS handshake failed; check Redis:Ssl, Redis:SslHost, Redis:CaCertificatePath and the client certificate ({Innermost(attemptFailure ?? exception).Message})",
        ConnectionFailureType.AuthenticationFailure =>
            $"authentication failed; check Redis:User and Redis:Password/PasswordFile ({Innermost(attemptFailure ?? exception).Message})",
        _ => $"{type}: {Innermost(exception).Message}",
    };

    private static bool IsTlsFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Security.Authentication.AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

    private static Exception Innermost(Exception exception)
    {
        var e = exception;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private sealed record NodeProbe(EndPoint EndPoint, TimeSpan Latency, string? Failure, ConnectionFailureType FailureType, Exception? Exception);
}
