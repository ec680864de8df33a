namespace Vigil.FleetSim.Activities;

/// <summary>The benign activity families of an ordinary working day and how often each starts.</summary>
internal static class BackgroundMix
{
    private static readonly (ActivityScript Script, double Weight)[] Families =
    [
        (SafariBrowsing.Run, 18),
        (ChromeBrowsing.Run, 16),
        (OtherBrowserBrowsing.Run, 5),
        (DeveloperSession.Run, 14),
        (SoftwareUpdateCheck.Run, 4),
        (MdmCheckIn.Run, 7),
        (BackupSync.Run, 9),
        (Automation.Run, 5),
        (DocumentEditing.Run, 7),
        (ChatSession.Run, 12),
        (DownloadAndInstall.Run, 2),
    ];

    private static readonly double TotalWeight = Families.Sum(f => f.Weight);

    public static ActivityScript Choose(Randomness.DeterministicRandom rng)
    {
        var roll = rng.NextDouble() * TotalWeight;
        foreach (var (script, weight) in Families)
        {
            roll -= weight;
            if (roll < 0)
            {
                return script;
            }
        }

        return Families[^1].Script;
    }
}
