using Vigil.Cli;

var parsed = CliArguments.Parse(args);
return parsed.Words switch
{
    ["telemetry", "tail"] => await TelemetryTailCommand.RunAsync(parsed),
    ["topics", "apply"] => await TopicsApplyCommand.RunAsync(parsed, Console.Out, Console.Error),
    ["health", var url] => await HealthCommand.RunAsync(url, parsed, Console.Out, Console.Error),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("Usage:");
    Console.Error.WriteLine($"  {TelemetryTailCommand.Usage}");
    Console.Error.WriteLine($"  {TopicsApplyCommand.Usage}");
    Console.Error.WriteLine($"  {HealthCommand.Usage}");
    return 2;
}
