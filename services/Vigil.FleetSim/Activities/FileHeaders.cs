namespace Vigil.FleetSim.Activities;

/// <summary>First bytes of common file types, as file.Ext.header_bytes carries them (lowercase hex).</summary>
internal static class FileHeaders
{
    /// <summary>64-bit Mach-O (MH_MAGIC_64, little-endian) followed by the CPU type.</summary>
    public static string MachO(string architecture) => architecture == "arm64" ? "cffaedfe0c000001" : "cffaedfe07000001";

    /// <summary>A universal (fat) Mach-O, as most notarized apps ship.</summary>
    public const string UniversalMachO = "cafebabe00000002";

    public const string ShellScript = "23212f62696e2f7368";
    public const string Xar = "78617221001c0001";
    public const string Zip = "504b030414000800";
    public const string Pdf = "255044462d312e37";
    public const string Jpeg = "ffd8ffe000104a46";
    public const string Gzip = "1f8b0800000000000003";
}
