using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vigil.DevCluster;
using Vigil.ServiceDefaults;

// Configuration: appsettings.json, environment (DevCluster__BasePort or VIGIL_DevCluster__BasePort),
// command line (--DevCluster:BasePort=9092). SIGTERM or Ctrl-C stops the brokers and removes the bootstrap file.
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddVigilConfiguration(args).AddVigilLogging();
    builder.Services.AddOptions<DevClusterOptions>().BindConfiguration(DevClusterOptions.Section).ValidateOnStart();
    builder.Services.AddSingleton<IValidateOptions<DevClusterOptions>, DevClusterOptionsValidation>();
    builder.Services.AddSingleton<DevClusterService>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<DevClusterService>());
    var controlUrl = builder.Configuration[$"{DevClusterOptions.Section}:{nameof(DevClusterOptions.ControlUrl)}"] ?? new DevClusterOptions().ControlUrl;
    // Empty turns the control endpoint off: nothing but an OS-chosen loopback port no one is told about.
    builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(controlUrl) ? "http://127.0.0.1:0" : controlUrl);
    var app = builder.Build();
    DevClusterControl.Map(app);
    app.ValidateSettings();
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    // A setting that cannot work: one line naming every bad key, no stack trace, exit 2 as the services do.
    Console.Error.WriteLine($"vigil-devcluster: configuration error: {string.Join(" ", e.Failures)}");
    return 2;
}
