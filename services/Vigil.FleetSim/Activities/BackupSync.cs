using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Activities;

/// <summary>A backup or sync agent (signed, known vendor) reading changed files in ~/Documents and ~/Desktop and uploading them over HTTPS to its vendor.</summary>
internal static class BackupSync
{
    public static IEnumerable<TelemetryEvent> Run(ActivityContext c) =>
        c.Host.Backup == BackupVendor.None ? DocumentEditing.Run(c) : Upload(c);

    public static IEnumerable<TelemetryEvent> Upload(ActivityContext c)
    {
        var agent = c.Resident(ResidentKind.BackupAgent);
        var count = c.Rng.Between(2, 8);
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            c.WaitMillis(20, 1500);
            var file = c.Rng.Pick(UserFiles.Documents);
            var size = UserFiles.SizeOf(c, file);
            total += size;
            yield return c.OpenFile(agent, $"{c.Home}/{file}", size);
        }

        var domain = c.Host.Backup switch
        {
            BackupVendor.Dropbox => "block.dropbox.com",
            BackupVendor.GoogleDrive => "www.googleapis.com",
            _ => $"pod-000-{c.Rng.Between(1000, 1199)}-{c.Rng.Between(10, 19)}.backblaze.com",
        };
        c.WaitMillis(200, 4000);
        foreach (var e in Traffic.Exchange(c, agent, domain, (long)(total * c.Rng.Between(0.6, 1.02)), c.Rng.Between(2_000L, 30_000L)))
        {
            yield return e;
        }

        c.Describe($"{agent.Name} (signed {agent.Image.Signature.TeamId}) reads {count} documents and uploads them over HTTPS to {domain}");
    }
}
