using System.Globalization;

namespace Vigil.Agent;

/// <summary>
/// Parses one sample of <c>nettop -L 1 -n -x -J time,interface,state,bytes_in,bytes_out</c>: CSV whose header starts
/// "time,," (the second column, unnamed, names the row). A process row is named "&lt;process name&gt;.&lt;pid&gt;" and is
/// followed by its sockets, named "&lt;tcp4|tcp6|udp4|udp6&gt; &lt;local&gt;&lt;-&gt;&lt;remote&gt;"; IPv4 endpoints are
/// "a.b.c.d:port", IPv6 endpoints "addr.port" (nettop separates an IPv6 port with a dot). Columns are found by
/// header name, so other -J selections parse too; -x makes byte counts plain integers.
/// </summary>
public static class NettopSample
{
    public static IReadOnlyList<NettopConnection> Parse(string text)
    {
        var connections = new List<NettopConnection>();
        Dictionary<string, int>? columns = null;
        (long Pid, string Name)? owner = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var cells = line.Split(',');
            if (cells[0] == "time")
            {
                columns = cells.Select((name, index) => (name, index)).Where(c => c.name.Length > 0)
                    .ToDictionary(c => c.name, c => c.index, StringComparer.Ordinal);
                continue;
            }

            if (columns is null || cells.Length < 2)
            {
                continue;
            }

            var name = cells[1];
            var space = name.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && name[..space] is "tcp4" or "tcp6" or "udp4" or "udp6")
            {
                if (owner is { } process && Socket(name, space, cells, columns, process) is { } connection)
                {
                    connections.Add(connection);
                }

                continue;
            }

            var dot = name.LastIndexOf('.');
            owner = dot > 0 && long.TryParse(name.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                ? (pid, name[..dot])
                : null;
        }

        return connections;
    }

    private static NettopConnection? Socket(string name, int space, string[] cells, Dictionary<string, int> columns, (long Pid, string Name) owner)
    {
        var kind = name[..space];
        var ipVersion = kind[^1] == '6' ? "ipv6" : "ipv4";
        var endpoints = name[(space + 1)..].Split("<->");
        if (endpoints.Length != 2)
        {
            return null;
        }

        var (localIp, localPort) = Endpoint(endpoints[0], ipVersion);
        var (remoteIp, remotePort) = Endpoint(endpoints[1], ipVersion);
        return new NettopConnection(
            owner.Pid, owner.Name, kind[..3], ipVersion, localIp, localPort, remoteIp, remotePort,
            Cell(cells, columns, "state"), Cell(cells, columns, "interface"),
            Number(Cell(cells, columns, "bytes_in")), Number(Cell(cells, columns, "bytes_out")));
    }

    private static (string Ip, long Port) Endpoint(string text, string ipVersion)
    {
        var separator = ipVersion == "ipv6" ? text.LastIndexOf('.') : text.LastIndexOf(':');
        if (separator < 0)
        {
            return (text, 0);
        }

        var port = text[(separator + 1)..];
        return (text[..separator], long.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0);
    }

    private static string Cell(string[] cells, Dictionary<string, int> columns, string column) =>
        columns.TryGetValue(column, out var index) && index < cells.Length ? cells[index].Trim() : "";

    private static long Number(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
