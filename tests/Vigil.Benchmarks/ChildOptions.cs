using System.Globalization;

namespace Vigil.Benchmarks;

/// <summary>
/// What a benchmark child process measures: which consumer, against which broker, topic and Redis, over how many events;
/// <see cref="Settings"/> adds service configuration ("--Key=Value" entries separated by '|').
/// </summary>
internal sealed record ChildOptions(
    string Kind,
    string Bootstrap,
    string Manifest,
    string Topic,
    string Group,
    long Events,
    long Warmup,
    string? Rules,
    string? Redis,
    string? Prefix,
    bool Live,
    string? Settings = null)
{
    public static ChildOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        string Required(string name) => Value(name) ?? throw new ArgumentException($"child: {name} is required");
        return new ChildOptions(
            args[1],
            Required("--bootstrap"),
            Required("--manifest"),
            Required("--topic"),
            Required("--group"),
            long.Parse(Value("--events") ?? "0", CultureInfo.InvariantCulture),
            long.Parse(Value("--warmup") ?? "0", CultureInfo.InvariantCulture),
            Value("--rules"),
            Value("--redis"),
            Value("--prefix"),
            args.Contains("--live"),
            Value("--settings"));
    }

    public IEnumerable<string> ToArguments()
    {
        yield return "child";
        yield return Kind;
        foreach (var (name, value) in new[]
        {
            ("--bootstrap", Bootstrap), ("--manifest", Manifest), ("--topic", Topic), ("--group", Group),
            ("--events", Events.ToString(CultureInfo.InvariantCulture)), ("--warmup", Warmup.ToString(CultureInfo.InvariantCulture)),
            ("--rules", Rules), ("--redis", Redis), ("--prefix", Prefix), ("--settings", Settings),
        })
        {
            if (value is not null)
            {
                yield return name;
                yield return value;
            }
        }

        if (Live)
        {
            yield return "--live";
        }
    }
}
