namespace Vigil.FleetSim.Fleet;

/// <summary>Long-lived processes of a host: launched once (as children of launchd) and parents of later activity.</summary>
internal enum ResidentKind
{
    LoginWindow,
    Finder,
    Dock,
    Terminal,
    Safari,
    Chrome,
    Firefox,
    Brave,
    Edge,
    Arc,
    SoftwareUpdate,
    MdmAgent,
    BackupAgent,
    Word,
    Slack,
}
