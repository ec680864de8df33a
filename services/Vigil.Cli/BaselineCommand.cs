using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Vigil.Contracts.Baseline;
using Vigil.ServiceDefaults;

namespace Vigil.Cli;

/// <summary>
/// `vigil baseline show|list|explain|accept`: ask the baseline service (gRPC) what is normal for a process image, and
/// record that a protocol is normal for it after all.
/// </summary>
public static class BaselineCommand
{
    public const string DefaultServer = "http://127.0.0.1:7411";

    public const string ShowUsage = "vigil baseline show <image> [--host <host.id>] [--server <url>] [tls] [--json]";

    public const string ListUsage = "vigil baseline list [--filter all|immature|mature|recent|anomalous] [--limit <n>] [--server <url>] [tls] [--json]";

    public const string ExplainUsage = "vigil baseline explain <alert id> [--server <url>] [tls] [--json]";

    public const string AcceptUsage =
        "vigil baseline accept (<image> <signature> | --alert <alert id>) --reason <why> [--by <who>] [--server <url>] [tls] [--json]";

    /// <summary>
    /// Connection options every baseline command takes: the CA the server certificate must chain to (https:// servers),
    /// a client certificate and key for mutual TLS, and the token (change or read token; else VIGIL_BASELINE_TOKEN).
    /// </summary>
    public const string TlsUsage = "[tls] = [--ca-file <pem>] [--cert-file <pem> [--key-file <pem>]] [--token-file <path>]";

    private static readonly string[] ConnectionOptions = ["server", "ca-file", "cert-file", "key-file", "token-file"];

    /// <summary>Where commands read the token (change or read token) when --token-file is not given.</summary>
    public const string TokenVariable = "VIGIL_BASELINE_TOKEN";

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static Task<int> ShowAsync(CliArguments args, TextWriter output) =>
        CallAsync(args, ShowUsage, ["host", "json"], output, async client =>
        {
            if (args.Words.Count != 3)
            {
                return null;
            }

            var response = await client.GetProfileAsync(new GetProfileRequest { Image = args.Words[2], HostId = args.Option("host") ?? string.Empty });
            return args.Flag("json") ? Json.Format(response) : BaselineText.Describe(response);
        });

    public static Task<int> ListAsync(CliArguments args, TextWriter output) =>
        CallAsync(args, ListUsage, ["filter", "limit", "json"], output, async client =>
        {
            var filter = (args.Option("filter") ?? "all") switch
            {
                "all" => ProfileFilter.All,
                "immature" or "learning" => ProfileFilter.Immature,
                "mature" => ProfileFilter.Mature,
                "recent" or "recently-changed" => ProfileFilter.RecentlyChanged,
                "anomalous" or "most-anomalous" => ProfileFilter.MostAnomalous,
                _ => ProfileFilter.Unspecified,
            };
            var limit = 0;
            if (args.Words.Count != 2 || filter == ProfileFilter.Unspecified || (args.Option("limit") is { } text && !int.TryParse(text, out limit)))
            {
                return null;
            }

            var response = await client.ListProfilesAsync(new ListProfilesRequest { Filter = filter, Limit = limit });
            return args.Flag("json") ? Json.Format(response) : BaselineText.Memory(response.Memory) + BaselineText.Table(response.Profiles);
        });

    public static Task<int> ExplainAsync(CliArguments args, TextWriter output) =>
        CallAsync(args, ExplainUsage, ["json"], output, async client =>
        {
            if (args.Words.Count != 3)
            {
                return null;
            }

            ExplainAlertResponse response;
            try
            {
                response = await client.ExplainAlertAsync(new ExplainAlertRequest { AlertId = args.Words[2] });
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // The baseline knows only its own alerts; a correlator's alert carries its evidence itself.
                throw new RpcException(new Status(StatusCode.NotFound,
                    $"{e.Status.Detail} `vigil baseline explain` covers AN1227 (baseline) alerts only; a correlator's alert (AN0167, AN0425...) shows its evidence in `vigil alerts tail` and the console."));
            }

            return args.Flag("json") ? Json.Format(response) : BaselineText.Explain(response);
        });

    public static Task<int> AcceptAsync(CliArguments args, TextWriter output) =>
        CallAsync(args, AcceptUsage, ["alert", "reason", "by", "json"], output, async client =>
        {
            var alert = args.Option("alert");
            var reason = args.Option("reason");
            if (string.IsNullOrWhiteSpace(reason))
            {
                // The reason is kept with the acceptance for whoever reviews it later, so it is never optional.
                await Console.Error.WriteLineAsync("vigil baseline accept: --reason is required (why this protocol is normal for the image; it is kept with the acceptance).");
                return null;
            }

            if (alert is null ? args.Words.Count != 4 : args.Words.Count != 2 || alert.Length == 0)
            {
                return null;
            }

            var request = new AcceptProtocolRequest { AlertId = alert ?? string.Empty, Reason = reason, AcceptedBy = args.Option("by") ?? Environment.UserName };
            if (alert is null)
            {
                request.Image = args.Words[2];
                request.Signature = args.Words[3];
            }

            var response = await client.AcceptProtocolAsync(request);
            return args.Flag("json") ? Json.Format(response) : BaselineText.Accepted(response);
        });

    /// <summary>Runs one call; null from <paramref name="call"/> means the arguments were wrong.</summary>
    private static async Task<int> CallAsync(
        CliArguments args, string usage, string[] known, TextWriter output, Func<BaselineService.BaselineServiceClient, Task<string?>> call)
    {
        var unknown = args.UnknownOptions([.. known, .. ConnectionOptions]).ToArray();
        var server = args.Option("server") ?? DefaultServer;
        if (unknown.Length > 0 || !Uri.TryCreate(server, UriKind.Absolute, out _))
        {
            await Console.Error.WriteLineAsync(unknown.Length > 0 ? $"Unknown option --{unknown[0]}." : $"'{server}' is not a URL.");
            await Console.Error.WriteLineAsync($"Usage: {usage}");
            return 2;
        }

        // The token goes with every call: reads may be restricted to token holders too (Baseline:Api:ReadTokenFile).
        var token = args.Option("token-file") is { } file ? (await File.ReadAllTextAsync(file)).Trim() : Environment.GetEnvironmentVariable(TokenVariable);
        using var channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions
        {
            HttpHandler = GrpcClientHandler.Create(args.Option("ca-file"), args.Option("cert-file"), args.Option("key-file"), token),
        });
        try
        {
            var text = await call(new BaselineService.BaselineServiceClient(channel));
            if (text is null)
            {
                await Console.Error.WriteLineAsync($"Usage: {usage}");
                return 2;
            }

            await output.WriteLineAsync(text);
            return 0;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.PermissionDenied or StatusCode.Unauthenticated)
        {
            await Console.Error.WriteLineAsync(e.Status.Detail);
            return 1;
        }
        catch (RpcException e)
        {
            await Console.Error.WriteLineAsync($"The baseline service at {server} did not answer: {e.Status.StatusCode} {e.Status.Detail}");
            return 1;
        }
    }
}
