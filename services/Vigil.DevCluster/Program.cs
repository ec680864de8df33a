using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vigil.DevCluster;
using Vigil.ServiceDefaults;

// Configuration: appsettings.json, environment (DevCluster__BasePort or VIGIL_DevCluster__BasePort),
// command line (--DevCluster:BasePort=9092). SIGTERM or Ctrl-C stops the brokers and removes the bootstrap file.
var builder = Host.CreateApplicationBuilder(args);
builder.AddVigilConfiguration(args).AddVigilLogging();
builder.Services.Configure<DevClusterOptions>(builder.Configuration.GetSection("DevCluster"));
builder.Services.AddHostedService<DevClusterService>();
await builder.Build().RunAsync();
