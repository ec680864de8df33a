using System.Text;
using Vigil.Adapters;

namespace Vigil.Adapters.UnitTests.Elastic;

/// <summary>Reads the Elastic fixture files and runs them through a fresh adapter, a line or a whole file per record.</summary>
internal static class ElasticFixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Elastic", "Fixtures", name);

    public static AdaptResult AdaptFile(string name) =>
        new ElasticAdapter().Adapt(new RawRecord(File.ReadAllBytes(PathOf(name)), null, name));

    /// <summary>Each non-empty line as its own record, as a Kafka topic or an NDJSON export holds them.</summary>
    public static List<AdaptResult> AdaptLines(string name)
    {
        var adapter = new ElasticAdapter();
        return File.ReadAllLines(PathOf(name))
            .Where(l => l.Length > 0)
            .Select((line, i) => adapter.Adapt(new RawRecord(Encoding.UTF8.GetBytes(line), null, $"{name}:{i + 1}")))
            .ToList();
    }
}
