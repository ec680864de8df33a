using System.Globalization;
using Vigil.Baseline.Benchmarks;
using Vigil.Testing;

// dotnet run -c Release --project tests/Vigil.Baseline.Benchmarks -- [--events 200000] [--batch 1000] [--hosts 500] [--redis host:port]
// Without --redis a throwaway redis-server is started on a free loopback port (redis-server must be installed).
var settings = args.Chunk(2).Where(p => p.Length == 2 && p[0].StartsWith("--", StringComparison.Ordinal)).ToDictionary(p => p[0][2..], p => p[1]);
int Setting(string name, int fallback) => settings.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

var bench = new BaselineThroughputBench(Setting("events", 200_000), Setting("batch", 1000), Setting("hosts", 500));
RedisServer? server = null;
try
{
    var endpoint = settings.GetValueOrDefault("redis");
    if (endpoint is null)
    {
        server = await RedisServer.StartAsync();
        endpoint = server.Endpoint;
    }

    // A first, short pass warms up the JIT and the script cache; the second is reported.
    await new BaselineThroughputBench(5_000, Setting("batch", 1000), Setting("hosts", 500)).RunAsync(endpoint);
    var result = await bench.RunAsync(endpoint);
    Console.WriteLine(BaselineBenchResult.MarkdownHeader);
    Console.WriteLine(result.ToMarkdownRow());
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}
