using System.Globalization;

namespace Vigil.Cli;

/// <summary>What `vigil topics apply` was asked to do, validated before anything connects.</summary>
public sealed record TopicsApplyOptions(string? Manifest, string? Bootstrap, short? ReplicationFactor, TimeSpan Wait, bool Strict)
{
    /// <summary>How long the command waits for a cluster that is not up yet, unless --wait says otherwise.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(2);

    private static readonly string[] Known = ["manifest", "bootstrap", "replication-factor", "wait", "strict"];

    /// <summary>The options of <paramref name="args"/>, or the reason they are unusable.</summary>
    public static bool TryParse(CliArguments args, out TopicsApplyOptions options, out string error)
    {
        options = new TopicsApplyOptions(null, null, null, DefaultWait, false);
        error = string.Empty;
        if (args.UnknownOptions(Known).FirstOrDefault() is { } unknown)
        {
            error = $"Unknown option --{unknown}.";
            return false;
        }

        foreach (var name in new[] { "manifest", "bootstrap", "replication-factor", "wait" })
        {
            if (args.Flag(name) && string.IsNullOrWhiteSpace(args.Option(name)))
            {
                error = $"--{name} needs a value.";
                return false;
            }
        }

        short? replication = null;
        if (args.Option("replication-factor") is { } factorText)
        {
            if (!short.TryParse(factorText, NumberStyles.None, CultureInfo.InvariantCulture, out var factor) || factor < 1)
            {
                error = $"--replication-factor must be a whole number of at least 1, not '{factorText}'.";
                return false;
            }

            replication = factor;
        }

        var wait = DefaultWait;
        if (args.Option("wait") is { } waitText && !CliDuration.TryParse(waitText, out wait))
        {
            error = $"--wait must be a duration such as 90s or 5m, not '{waitText}'.";
            return false;
        }

        if (args.Flag("strict") && args.Option("strict") is { } strictValue)
        {
            error = $"--strict takes no value (got '{strictValue}').";
            return false;
        }

        options = new TopicsApplyOptions(args.Option("manifest"), args.Option("bootstrap"), replication, wait, args.Flag("strict"));
        return true;
    }
}
