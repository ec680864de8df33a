using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Activities;

/// <summary>Microsoft Word opening and saving documents and syncing with Microsoft 365 over HTTPS.</summary>
internal static class DocumentEditing
{
    private static readonly string[] WordDocuments = ["Documents/Roadmap Q3.docx", "Documents/Meeting notes.docx", "Documents/Contracts/MSA-draft.docx", "Desktop/Cover letter.docx"];

    public static IEnumerable<TelemetryEvent> Run(ActivityContext c) => c.Host.HasWord ? Edit(c) : SafariBrowsing.Run(c);

    public static IEnumerable<TelemetryEvent> Edit(ActivityContext c)
    {
        var word = c.Resident(ResidentKind.Word);
        var document = $"{c.Home}/{c.Rng.Pick(WordDocuments)}";
        var size = c.Rng.Between(30_000L, 3_000_000L);
        c.WaitMillis(100, 3000);
        yield return c.OpenFile(word, document, size);
        c.WaitSeconds(1, 5);
        foreach (var e in Traffic.Exchange(c, word, "roaming.officeapps.live.com", c.Rng.Between(2_000L, 20_000L), c.Rng.Between(5_000L, 80_000L)))
        {
            yield return e;
        }

        c.WaitSeconds(20, 300);
        yield return c.ModifyFile(word, document, size + c.Rng.Between(-5_000L, 40_000L));
        c.Describe($"Microsoft Word (signed UBF8T346G9) opens {document} and syncs over HTTPS with Microsoft 365");
    }
}
