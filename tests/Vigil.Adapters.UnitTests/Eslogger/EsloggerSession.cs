using System.Text;

namespace Vigil.Adapters.UnitTests.Eslogger;

/// <summary>The fixture session (Fixtures/session.jsonl) run line by line through one adapter, as a consumer would.</summary>
internal sealed class EsloggerSession
{
    public const string HostId = "C02XK1ABJG5H";

    // Line numbers of session.jsonl, in the order the fixture writes them.
    public const int Fork = 0, Exec = 1, Open = 2, Create = 3, Write = 4, CloseModified = 5, CloseUnmodified = 6, Rename = 7,
        Unlink = 8, Exit = 9, QuarantineRemoved = 10, OtherAttributeRemoved = 11, SetExtAttr = 12, LaunchItemAdd = 13,
        GatekeeperOverride = 14, GroupAdd = 15, GroupRemove = 16, TccModify = 17, Mmap = 18, ExitZero = 19, ExitSignal = 20,
        Unsupported = 21, ExecDeveloperId = 22;

    public EsloggerSession(EsloggerAdapter? adapter = null)
    {
        Adapter = adapter ?? new EsloggerAdapter();
        Lines = ReadLines("session.jsonl");
        Results = Lines.Select(line => Adapter.Adapt(Record(line, HostId))).ToArray();
    }

    public EsloggerAdapter Adapter { get; }

    public IReadOnlyList<string> Lines { get; }

    public IReadOnlyList<AdaptResult> Results { get; }

    public Vigil.Contracts.Telemetry.TelemetryEvent Event(int line) => Assert.Single(Results[line].Events);

    public static IReadOnlyList<string> ReadLines(string fixture) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Eslogger", "Fixtures", fixture)).Where(l => l.Length > 0).ToArray();

    public static RawRecord Record(string line, string? key) => new(Encoding.UTF8.GetBytes(line), key, "test");
}
