using System.Globalization;
using System.Text;

namespace Vigil.Testing;

/// <summary>
/// Writes rule files shaped like Elastic's macOS detection content (written here, not copied): single-event process,
/// file, network, DNS and library rules in EQL and KQL, two-step sequences, and a few rules no field index can narrow
/// (<c>any where</c> on numbers and booleans). Benchmarks and tests load them as a pack of "about 100 rules".
/// </summary>
public static class ElasticShapedRules
{
    public static readonly string[] ProcessNames =
    [
        "security", "osascript", "curl", "wget", "python3", "perl", "ruby", "nscurl", "launchctl", "defaults", "sqlite3",
        "dscl", "systemsetup", "spctl", "xattr", "kextunload", "tccutil", "plutil", "csrutil", "networksetup", "ditto",
        "zip", "screencapture", "pbpaste", "mdfind", "codesign", "hdiutil", "installer", "sudo", "chmod", "nohup", "node",
        "java", "kcc", "openssl", "base64", "say", "scp", "ssh", "nc", "socat", "tclsh", "swift", "mktemp", "killall",
    ];

    public static readonly string[] ParentNames =
    [
        "Microsoft Word", "Microsoft Excel", "Microsoft PowerPoint", "Safari", "Google Chrome", "installer",
        "package_script_service", "Automator", "Terminal", "launchd", "sshd", "Electron", "Slack", "Finder",
    ];

    public static readonly string[] PathPrefixes =
    [
        "/Library/LaunchDaemons/", "/Library/LaunchAgents/", "/Users/*/Library/LaunchAgents/", "/private/etc/",
        "/etc/pam.d/", "/Library/Security/SecurityAgentPlugins/", "/Users/*/Library/Application Support/com.apple.TCC/",
        "/private/var/db/", "/Library/Preferences/", "/usr/local/bin/", "/private/tmp/", "/Users/Shared/",
        "/Applications/", "/Users/*/Library/Mail/", "/Library/Keychains/", "/Users/*/.ssh/", "/private/var/root/",
    ];

    public static readonly string[] Domains =
    [
        "api.ipify.org", "ipinfo.io", "pastebin.com", "raw.githubusercontent.com", "script.google.com", "ngrok.io",
        "oast.fun", "interact.sh", "transfer.sh", "discord.com", "api.telegram.org", "mega.nz", "s3.amazonaws.com",
    ];

    public static readonly string[] Arguments =
    [
        "dump-keychain", "find-generic-password", "-d", "setenv", "load", "-w", "--disable", "com.apple.quarantine",
        "-r", "list", "-c", "do shell script", "display dialog", "-e", "base64", "-o", "--master-disable", "create",
    ];

    /// <summary>Writes <paramref name="count"/> rules (shapes in turn, names drawn from the pools) into <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> Write(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (language, query) = Query(i);
            var file = Path.Combine(folder, $"elastic_shaped_{i:D3}.toml");
            File.WriteAllText(file, Toml(i, language, query));
            files.Add(file);
        }

        return files;
    }

    /// <summary>The query of rule <paramref name="i"/>: its language ("eql" or "kuery") and text.</summary>
    public static (string Language, string Query) Query(int i)
    {
        string Pick(string[] pool, int salt) => pool[(i * 7 + salt * 13) % pool.Length];
        var name = Pick(ProcessNames, 0);
        var other = Pick(ProcessNames, 1);
        const string Mac = "host.os.type == \"macos\"";
        return (i % 12) switch
        {
            0 => ("eql", $"process where {Mac} and event.type in (\"start\", \"process_started\") and process.name : \"{name}\" and process.args : (\"{Pick(Arguments, 0)}\", \"{Pick(Arguments, 1)}\")"),
            1 => ("eql", $"process where {Mac} and event.type == \"start\" and event.action == \"exec\" and process.parent.name : (\"{Pick(ParentNames, 0)}\", \"{Pick(ParentNames, 1)}\") and process.name : (\"sh\", \"bash\", \"zsh\", \"{name}\")"),
            2 => ("eql", $"process where {Mac} and event.type in (\"start\", \"process_started\") and process.args like~ \"{Pick(Arguments, 2)}\" and process.args == \"{Pick(Arguments, 3)}\""),
            3 => ("eql", $"file where {Mac} and event.type != \"deletion\" and file.path : (\"{Pick(PathPrefixes, 0)}*\", \"{Pick(PathPrefixes, 1)}*.plist\") and not process.name : (\"{name}\", \"launchd\")"),
            4 => ("eql", $"file where {Mac} and event.type in (\"creation\", \"change\") and file.name : \"*.{(i % 2 == 0 ? "dylib" : "plist")}\" and not process.code_signature.trusted == true"),
            5 => ("eql", $"network where {Mac} and event.type == \"start\" and process.name : (\"{name}\", \"{other}\") and destination.domain : (\"*{Pick(Domains, 0)}\", \"{Pick(Domains, 1)}\")"),
            6 => ("eql", $"network where {Mac} and event.action == \"lookup_requested\" and dns.question.name : (\"{Pick(Domains, 0)}\", \"*.{Pick(Domains, 1)}\")"),
            7 => ("eql", $"library where {Mac} and event.action == \"load\" and dll.path : (\"/private/tmp/*\", \"/Users/*\") and process.name : \"{name}*\""),
            // As Elastic's "execution followed by network connection" rules: the process is named in both steps.
            8 => ("eql", $"sequence by host.id, process.entity_id with maxspan=30s [process where {Mac} and event.type == \"start\" and process.name == \"{name}\"] [network where {Mac} and event.type == \"start\" and process.name == \"{name}\" and not cidrmatch(destination.ip, \"127.0.0.0/8\", \"::1/128\")]"),
            9 => ("kuery", $"event.category:process and host.os.type:macos and event.type:start and process.name:{name} and process.args:{Pick(Arguments, 4).Replace(" ", "\\ ", StringComparison.Ordinal)}"),
            // Elastic's macOS rules nearly all name a category; one in 24 here does not, to keep the "always check" path honest.
            10 when i % 24 == 10 => ("eql", $"any where {Mac} and process.code_signature.exists == false and process.args_count > {3 + (i % 5)}"),
            10 => ("eql", $"process where {Mac} and event.type == \"start\" and process.code_signature.trusted == false and process.args_count > {3 + (i % 5)}"),
            _ => ("eql", $"sequence by host.id with maxspan=1m [file where {Mac} and event.type == \"creation\" and file.path : \"{Pick(PathPrefixes, 2)}*\"] by file.path [process where {Mac} and event.type == \"start\" and process.executable : \"{Pick(PathPrefixes, 2)}*\"] by process.executable"),
        };
    }

    private static string Toml(int i, string language, string query)
    {
        var id = $"00000000-0000-4000-8000-{i.ToString("D12", CultureInfo.InvariantCulture)}";
        return new StringBuilder()
            .AppendLine("[metadata]")
            .AppendLine("creation_date = \"2025/01/01\"")
            .AppendLine("integration = [\"endpoint\"]")
            .AppendLine("maturity = \"production\"")
            .AppendLine("updated_date = \"2025/01/01\"")
            .AppendLine()
            .AppendLine("[rule]")
            .AppendLine("author = [\"Vigil\"]")
            .AppendLine("license = \"Apache License 2.0\"")
            .AppendLine("index = [\"logs-endpoint.events.*\"]")
            .AppendLine(CultureInfo.InvariantCulture, $"description = \"Elastic-shaped benchmark rule {i}.\"")
            .AppendLine(CultureInfo.InvariantCulture, $"language = \"{language}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"name = \"Elastic-shaped rule {i:D3}\"")
            .AppendLine("risk_score = 47")
            .AppendLine(CultureInfo.InvariantCulture, $"rule_id = \"{id}\"")
            .AppendLine("severity = \"medium\"")
            .AppendLine(CultureInfo.InvariantCulture, $"type = \"{(language == "kuery" ? "query" : "eql")}\"")
            .AppendLine("query = '''")
            .AppendLine(query)
            .AppendLine("'''")
            .ToString();
    }
}
