namespace Vigil.FleetSim.Fleet;

/// <summary>The device-management agent a host is enrolled with.</summary>
internal enum MdmVendor
{
    Jamf,
    Kandji,
    Mosyle,
}
