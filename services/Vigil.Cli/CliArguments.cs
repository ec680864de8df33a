namespace Vigil.Cli;

/// <summary>
/// Parsed command line: leading words name the command, "--name value" / "--name=value" are options,
/// and options containing ':' (e.g. --Kafka:BootstrapServers=...) pass through as configuration.
/// </summary>
public sealed class CliArguments
{
    /// <summary>Options that never take a value, so `--yes image` does not read the image as the option's value.</summary>
    private static readonly HashSet<string> Switches = new(["json", "yes", "strict", "from-beginning", "query-semantics"], StringComparer.OrdinalIgnoreCase);

    private readonly Dictionary<string, string?> options = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> configuration = [];

    private CliArguments(IReadOnlyList<string> words) => Words = words;

    public IReadOnlyList<string> Words { get; }

    /// <summary>Arguments to hand to the configuration system unchanged.</summary>
    public IReadOnlyList<string> Configuration => configuration;

    public static CliArguments Parse(IReadOnlyList<string> args)
    {
        var words = new List<string>();
        var parsed = new CliArguments(words);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                words.Add(arg);
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[2..equals] : arg[2..];
            string? value = equals > 0 ? arg[(equals + 1)..] : null;
            if (value is null && !Switches.Contains(name) && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            if (name.Contains(':', StringComparison.Ordinal))
            {
                parsed.configuration.Add($"--{name}={value}");
            }
            else
            {
                parsed.options[name] = value;
            }
        }

        return parsed;
    }

    public string? Option(string name) => options.GetValueOrDefault(name);

    public bool Flag(string name) => options.ContainsKey(name);

    /// <summary>Options that no command asked for, to reject typos instead of ignoring them.</summary>
    public IEnumerable<string> UnknownOptions(IEnumerable<string> known) => options.Keys.Except(known, StringComparer.OrdinalIgnoreCase);
}
