using System.Globalization;
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
        "vigil baseline accept (<image> <signature> | --alert <alert id>) --reason <why> [--by <who>] [--yes] [--server <url>] [tls] [--json]";

    /// <summary>
    /// Connection options every baseline command takes: the CA the server certificate must chain to (https:// servers),
    /// a client certificate and key for mutual TLS, and the token (change or read token; else VIGIL_BASELINE_TOKEN).
    /// </summary>
    public const string TlsUsage = "[tls] = [--ca-file <pem>] [--cert-file <pem> [--key-file <pem>]] [--token-file <path>]";

    private static readonly string[] ConnectionOptions = ["server", "ca-file", "cert-file", "key-file", "token-file"];

    /// <summary>Where commands read the token (change or read token) when --token-file is not given.</summary>
    public const string TokenVariable = "VIGIL_BASELINE_TOKEN";

    /// <summary>Width of `list` when standard output is not a terminal (a pipe or a file).</summary>
    public const int DefaultTableWidth = 140;

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static Task<int> ShowAsync(CliArguments args, TextWriter output) =>
        CallAsync(args, ShowUsage, ["host", "json"], output, async client =>
        {
            if (args.Words.Count != 3)
            {
                return Outcome.Usage;
            }

            var response = await client.GetProfileAsync(new GetProfileRequest { Image = args.Words[2], HostId = args.Option("host") ?? string.Empty });
            return Outcome.Print(args.Flag("json") ? Json.Format(response) : BaselineText.Describe(response));
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
                return Outcome.Usage;
            }

            var response = await client.ListProfilesAsync(new ListProfilesRequest { Filter = filter, Limit = limit });
            return Outcome.Print(args.Flag("json") ? Json.Format(response) : BaselineText.Memory(response.Memory) + BaselineText.Table(response.Profiles, TableWidth()));
        });

    public static Task<int> ExplainAsync(CliArguments args, TextWriter output) =>
        CallAsync(args, ExplainUsage, ["json"], output, async client =>
        {
            if (args.Words.Count != 3)
            {
                return Outcome.Usage;
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

            return Outcome.Print(args.Flag("json") ? Json.Format(response) : BaselineText.Explain(response));
        });

    /// <summary>The terminal's width, so `list` fits it; a fixed width when printing to a pipe or a file.</summary>
    private static int TableWidth()
    {
        try
        {
            return Console.IsOutputRedirected || Console.WindowWidth < 40 ? DefaultTableWidth : Console.WindowWidth - 1;
        }
        catch (IOException)
        {
            return DefaultTableWidth;
        }
    }

    /// <summary>
    /// Records a verdict. The profile is fleet-wide, so accepting silences the protocol on every host: the command
    /// names what it will change and how many hosts use the image, and asks. Without a terminal to ask on (a script,
    /// a pipe) it changes nothing unless --yes says the caller has already decided.
    /// </summary>
    /// <param name="terminal">Where the answer is read; null when standard input is not a terminal.</param>
    public static Task<int> AcceptAsync(CliArguments args, TextWriter output, TextReader? terminal) =>
        CallAsync(args, AcceptUsage, ["alert", "reason", "by", "json", "yes"], output, async client =>
        {
            var alert = args.Option("alert");
            var reason = args.Option("reason");
            if (string.IsNullOrWhiteSpace(reason))
            {
                // The reason is kept with the acceptance for whoever reviews it later, so it is never optional.
                await Console.Error.WriteLineAsync("vigil baseline accept: --reason is required (why this protocol is normal for the image; it is kept with the acceptance).");
                return Outcome.Usage;
            }

            if (alert is null ? args.Words.Count != 4 : args.Words.Count != 2 || alert.Length == 0)
            {
                return Outcome.Usage;
            }

            var request = new AcceptProtocolRequest { AlertId = alert ?? string.Empty, Reason = reason, AcceptedBy = args.Option("by") ?? Environment.UserName };
            if (alert is null)
            {
                request.Image = args.Words[2];
                request.Signature = args.Words[3];
            }

            if (!args.Flag("yes") && await ConfirmAsync(client, request, terminal) is { } refused)
            {
                return refused;
            }

            var response = await client.AcceptProtocolAsync(request);
            return Outcome.Print(args.Flag("json") ? Json.Format(response) : BaselineText.Accepted(response));
        });

    /// <summary>Asks before a fleet-wide change; null when confirmed, else the outcome to end with.</summary>
    private static async Task<Outcome?> ConfirmAsync(BaselineService.BaselineServiceClient client, AcceptProtocolRequest request, TextReader? terminal)
    {
        var (image, signature) = (request.Image, request.Signature);
        if (request.AlertId.Length > 0)
        {
            var explained = (await client.ExplainAlertAsync(new ExplainAlertRequest { AlertId = request.AlertId })).Explanation;
            image = explained.Image;
            signature = explained.Observations.FirstOrDefault(o => o.Name == "network.protocol")?.Observed ?? "the alert's protocol";
        }

        var profile = (await client.GetProfileAsync(new GetProfileRequest { Image = image })).Profile;
        var question = string.Create(CultureInfo.InvariantCulture,
            $"This accepts {signature} as normal for {profile.Image} on every host of the fleet (the profile is fleet-wide; ~{profile.DistinctHosts} host(s) ran the image): no host alerts on it again.");
        if (terminal is null)
        {
            await Console.Error.WriteLineAsync($"{question} Nothing was changed: standard input is not a terminal to confirm on; add --yes to accept.");
            return Outcome.Usage with { UsageLine = false };
        }

        await Console.Error.WriteAsync($"{question} Accept? [y/N] ");
        var answer = (await terminal.ReadLineAsync())?.Trim();
        if (answer is not null && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        await Console.Error.WriteLineAsync("Nothing was changed.");
        return new Outcome(1, null, false);
    }

    /// <summary>Runs one call and turns its outcome into output and an exit code.</summary>
    private static async Task<int> CallAsync(
        CliArguments args, string usage, string[] known, TextWriter output, Func<BaselineService.BaselineServiceClient, Task<Outcome>> call)
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
            var outcome = await call(new BaselineService.BaselineServiceClient(channel));
            if (outcome.UsageLine)
            {
                await Console.Error.WriteLineAsync($"Usage: {usage}");
            }

            if (outcome.Text is not null)
            {
                await output.WriteLineAsync(outcome.Text);
            }

            return outcome.ExitCode;
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

    /// <summary>What a command ends with: its exit code, what it prints, and whether the usage line follows.</summary>
    private sealed record Outcome(int ExitCode, string? Text, bool UsageLine)
    {
        public static Outcome Usage { get; } = new(2, null, true);

        public static Outcome Print(string text) => new(0, text, false);
    }
}
