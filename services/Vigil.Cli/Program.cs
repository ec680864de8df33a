using Vigil.Cli;

var parsed = CliArguments.Parse(args);
return parsed.Words switch
{
    ["telemetry", "tail"] => await TailCommand.TelemetryAsync(parsed),
    ["alerts", "tail"] => await TailCommand.AlertsAsync(parsed),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("Usage:");
    Console.Error.WriteLine($"  {TailCommand.TelemetryUsage}");
    Console.Error.WriteLine($"  {TailCommand.AlertsUsage}");
    return 2;
}
