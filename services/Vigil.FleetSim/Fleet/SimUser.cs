using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim.Fleet;

/// <summary>A macOS account a simulated process runs as.</summary>
internal sealed record SimUser(string Name, string Id, string GroupName, string GroupId, string Home)
{
    public static SimUser Root { get; } = new("root", "0", "wheel", "0", "/var/root");

    public bool IsRoot => Id == "0";

    public User ToProto() => new() { Name = Name, Id = Id, Group = new Group { Name = GroupName, Id = GroupId } };
}
