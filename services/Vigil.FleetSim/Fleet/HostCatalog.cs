using System.Globalization;
using Vigil.FleetSim.Randomness;

namespace Vigil.FleetSim.Fleet;

/// <summary>
/// Describes any host of the fleet on demand from the seed and the host's index, so a fleet of any size
/// costs nothing until a host is active.
/// </summary>
internal sealed class HostCatalog(ulong seed, int hostCount)
{
    private static readonly string[] FirstNames =
    [
        "Alice", "Ben", "Chloe", "Daniel", "Emma", "Farid", "Grace", "Hiro", "Isabel", "Jonas", "Keisha", "Liam",
        "Maya", "Noah", "Olivia", "Priya", "Quentin", "Rosa", "Samir", "Tessa", "Umar", "Valeria", "Wei", "Ximena",
        "Yusuf", "Zoe", "Aaron", "Bianca", "Carlos", "Dana", "Elif", "Felix", "Gita", "Hannah", "Ivan", "Julia",
    ];

    private static readonly string[] LastNames =
    [
        "Anderson", "Brooks", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Kowalski",
        "Lopez", "Murphy", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka", "Ueda", "Vargas",
        "Walsh", "Xu", "Yilmaz", "Zhang", "Bauer", "Costa", "Novak", "Silva", "Moreau", "Kim", "Singh", "Larsen",
    ];

    private static readonly (string Version, string Build)[] OsReleases =
    [
        ("13.7.1", "22H221"), ("14.6.1", "23G93"), ("14.7.1", "23H222"), ("15.1.1", "24B91"),
        ("15.2", "24C101"), ("15.3.1", "24D70"), ("15.3.2", "24D81"),
    ];

    private static readonly string[] Models = ["MacBook-Pro", "MacBook-Air", "iMac", "Mac-mini", "Mac-Studio"];

    public int Count => hostCount;

    public HostProfile Describe(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, hostCount);
        var key = StableHash.Of(seed, 0x4057, (ulong)index);
        var rng = new DeterministicRandom(key);

        var first = rng.Pick(FirstNames);
        var last = rng.Pick(LastNames);
        // Several people share a name in a big fleet; the index keeps account names distinct enough to read.
        var shortName = (first[0] + last).ToLowerInvariant() + (index >= FirstNames.Length * LastNames.Length ? (index % 97).ToString(CultureInfo.InvariantCulture) : "");
        var uid = rng.Chance(0.9) ? "501" : "502";
        var user = new SimUser(shortName, uid, "staff", "20", $"/Users/{shortName}");

        var os = OsReleases[rng.Next(OsReleases.Length)];
        var architecture = rng.Chance(0.8) ? "arm64" : "x86_64";
        var name = rng.Chance(0.5)
            ? $"MAC-{SerialNumber(rng)}"
            : $"{first}s-{rng.Pick(Models)}-{index % 1000}";

        var browsers = new List<ResidentKind> { ResidentKind.Safari };
        AddIf(browsers, rng.Chance(0.65), ResidentKind.Chrome);
        AddIf(browsers, rng.Chance(0.15), ResidentKind.Firefox);
        AddIf(browsers, rng.Chance(0.12), ResidentKind.Edge);
        AddIf(browsers, rng.Chance(0.06), ResidentKind.Brave);
        AddIf(browsers, rng.Chance(0.07), ResidentKind.Arc);

        var mdmRoll = rng.NextDouble();
        var mdm = mdmRoll < 0.5 ? MdmVendor.Jamf : mdmRoll < 0.8 ? MdmVendor.Kandji : MdmVendor.Mosyle;
        var backupRoll = rng.NextDouble();
        var backup = backupRoll < 0.3 ? BackupVendor.Dropbox
            : backupRoll < 0.6 ? BackupVendor.GoogleDrive
            : backupRoll < 0.75 ? BackupVendor.Backblaze
            : BackupVendor.None;

        return new HostProfile(
            Index: index,
            Key: key,
            Id: HardwareUuid(key),
            Name: name,
            OsVersion: os.Version,
            OsBuild: os.Build,
            Architecture: architecture,
            Ip: $"10.{16 + (index >> 16 & 0x0F)}.{index >> 8 & 0xFF}.{((index & 0xFF) == 0 ? 254 : index & 0xFF)}",
            User: user,
            TempDir: $"/var/folders/{rng.Alphanumeric(2)}/{rng.Alphanumeric(22)}0000gn/T",
            AgentId: Guid(StableHash.Of(key, 0xA6E7), StableHash.Of(key, 0xA6E8)).ToLowerInvariant(),
            Browsers: browsers,
            IsDeveloper: rng.Chance(0.35),
            Mdm: mdm,
            Backup: backup,
            HasWord: rng.Chance(0.6),
            HasSlack: rng.Chance(0.7),
            MdmTenant: $"corp{seed % 1000:D3}");
    }

    private static void AddIf(List<ResidentKind> list, bool condition, ResidentKind kind)
    {
        if (condition)
        {
            list.Add(kind);
        }
    }

    private static string SerialNumber(DeterministicRandom rng)
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        return "C02" + string.Create(9, rng, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }

    private static string HardwareUuid(ulong key) => Guid(StableHash.Of(key, 0x1D), StableHash.Of(key, 0x1E));

    private static string Guid(ulong high, ulong low)
    {
        var hex = $"{high:X16}{low:X16}";
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
