namespace Vigil.FleetSim.Fleet;

/// <summary>The backup or file-sync agent a host runs, if any.</summary>
internal enum BackupVendor
{
    None,
    Dropbox,
    GoogleDrive,
    Backblaze,
}
