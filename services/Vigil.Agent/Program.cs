using Vigil.Agent;
using Vigil.ServiceDefaults;

try
{
    await using var app = AgentApp.Build(args);
    app.ValidateSettings();
    await app.RunAsync();
    return 0;
}
catch (Microsoft.Extensions.Options.OptionsValidationException e)
{
    // A bad setting: say which and exit non-zero before touching eslogger or Kafka.
    Console.Error.WriteLine($"vigil-agent: configuration error: {string.Join(" ", e.Failures)}");
    Console.Error.WriteLine($"Usage: {AgentApp.Usage}");
    return 2;
}
