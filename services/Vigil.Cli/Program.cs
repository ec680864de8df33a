using Vigil.Cli;

var parsed = CliArguments.Parse(args);
return parsed.Words switch
{
    ["telemetry", "tail"] => await TelemetryTailCommand.RunAsync(parsed),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("Usage:");
    Console.Error.WriteLine($"  {TelemetryTailCommand.Usage}");
    return 2;
}
