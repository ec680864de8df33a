using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vigil.ServiceDefaults;

namespace Vigil.Agent;

/// <summary>Builds vigil-agent from its command line: what Program runs and what tests host.</summary>
public static class AgentApp
{
    public const string Usage = "vigil-agent [--urls http://127.0.0.1:7430] [--Agent:<setting>=<value>] [--Kafka:<setting>=<value>]";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults(args);
        builder.AddAgent();
        var app = builder.Build();
        app.MapServiceDefaults();
        var options = app.Services.GetRequiredService<IOptions<AgentOptions>>().Value;
        app.Logger.LogInformation("vigil-agent for host {HostId}: {Eslogger} and {Network} every {Interval}, buffer {Buffer}",
            options.HostId, options.Eslogger.Executable, options.Network.Executable, options.Network.Interval, options.Buffer.Directory);
        return app;
    }
}
