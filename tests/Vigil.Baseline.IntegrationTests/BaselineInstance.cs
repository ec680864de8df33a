using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Baseline.Api;
using Vigil.Contracts.Baseline;
using Vigil.Testing;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// A baseline service hosted in the test process exactly as vigil-baseline's Program hosts it, on loopback ports the
/// OS picks, with a gRPC client over a real socket and the log lines it wrote.
/// </summary>
internal sealed class BaselineInstance : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly GrpcChannel channel;

    private BaselineInstance(WebApplication app, RecordingLog log)
    {
        this.app = app;
        Log = log.Lines;
        HttpAddress = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => a != app.Services.GetRequiredService<BaselineGrpcEndpoint>().Address);
        GrpcAddress = app.Services.GetRequiredService<BaselineGrpcEndpoint>().Address!;
        channel = GrpcChannel.ForAddress(GrpcAddress);
        Client = new BaselineService.BaselineServiceClient(channel);
    }

    public string HttpAddress { get; }

    public string GrpcAddress { get; }

    public BaselineService.BaselineServiceClient Client { get; }

    /// <summary>The service's log lines at Information or above, oldest first.</summary>
    public IReadOnlyCollection<string> Log { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>The service's batch handler, for records a test hands it directly.</summary>
    public BaselineHandler Handler => app.Services.GetRequiredService<BaselineHandler>();

    /// <summary>The service's store.</summary>
    public Vigil.Baseline.Storage.BaselineStore Store => app.Services.GetRequiredService<Vigil.Baseline.Storage.BaselineStore>();

    public async Task<GetProfileResponse> GetProfileAsync(string image, string hostId = "") =>
        await Client.GetProfileAsync(new GetProfileRequest { Image = image, HostId = hostId }, cancellationToken: TestContext.Current.CancellationToken);

    public async Task<Profile> ProfileAsync(string image) => (await GetProfileAsync(image)).Profile;

    public async Task<IReadOnlyList<ProfileSummary>> ListAsync(ProfileFilter filter, int limit = 0) =>
        (await Client.ListProfilesAsync(new ListProfilesRequest { Filter = filter, Limit = limit }, cancellationToken: TestContext.Current.CancellationToken)).Profiles;

    public async Task<ExplainAlertResponse> ExplainAsync(string alertId) =>
        await Client.ExplainAlertAsync(new ExplainAlertRequest { AlertId = alertId }, cancellationToken: TestContext.Current.CancellationToken);

    public static async Task<BaselineInstance> StartAsync(IEnumerable<string> args)
    {
        string[] arguments = ["--urls=http://127.0.0.1:0", "--grpc-url=http://127.0.0.1:0", .. args];
        var log = new RecordingLog(LogLevel.Information);
        var app = BaselineServiceCollectionExtensions.BuildBaseline(arguments, builder => builder.Logging.AddProvider(log));
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new BaselineInstance(app, log);
    }

    public async Task StopAsync() => await app.StopAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        channel.Dispose();
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
