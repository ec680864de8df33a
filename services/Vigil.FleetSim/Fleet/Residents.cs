using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Randomness;

namespace Vigil.FleetSim.Fleet;

/// <summary>
/// Describes a host's long-lived processes (launchd and the apps and daemons under it) with pids and entity ids
/// derived from the host, so they are the same whenever an activity needs them and are never stored.
/// </summary>
internal sealed class Residents(OpaqueIds ids)
{
    private const int LaunchdSlot = 31;

    public SimProcess Launchd(HostProfile host) =>
        new(ids.ResidentEntityId(host.Index, LaunchdSlot), 1, Images.Launchd, ["/sbin/launchd"], "/", SimUser.Root, 0, null);

    public SimProcess Describe(HostProfile host, ResidentKind kind)
    {
        var (image, args, user, pidBase) = kind switch
        {
            ResidentKind.LoginWindow => (Images.LoginWindow, new[] { Images.LoginWindow.Path, "console" }, host.User, 140),
            ResidentKind.Finder => (Images.Finder, [Images.Finder.Path], host.User, 600),
            ResidentKind.Dock => (Images.Dock, [Images.Dock.Path], host.User, 580),
            ResidentKind.Terminal => (Images.Terminal, [Images.Terminal.Path], host.User, 2000),
            ResidentKind.Safari => (Images.Safari, [Images.Safari.Path], host.User, 1500),
            ResidentKind.Chrome => (Images.Chrome, [Images.Chrome.Path], host.User, 1700),
            ResidentKind.Firefox => (Images.Firefox, [Images.Firefox.Path], host.User, 1700),
            ResidentKind.Brave => (Images.Brave, [Images.Brave.Path], host.User, 1700),
            ResidentKind.Edge => (Images.Edge, [Images.Edge.Path], host.User, 1700),
            ResidentKind.Arc => (Images.Arc, [Images.Arc.Path], host.User, 1700),
            ResidentKind.SoftwareUpdate => (Images.SoftwareUpdated, [Images.SoftwareUpdated.Path], SimUser.Root, 300),
            ResidentKind.MdmAgent => MdmAgent(host),
            ResidentKind.BackupAgent => BackupAgent(host),
            ResidentKind.Word => (Images.Word, [Images.Word.Path], host.User, 2400),
            ResidentKind.Slack => (Images.Slack, [Images.Slack.Path], host.User, 1900),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

        var pid = pidBase + (long)(StableHash.Of(host.Key, (ulong)kind) % 400);
        var cwd = user.IsRoot ? "/" : kind is ResidentKind.Terminal ? host.Home : "/";
        return new SimProcess(ids.ResidentEntityId(host.Index, (int)kind), pid, image, args, cwd, user, 0, Launchd(host));
    }

    private static (ExecutableImage, string[], SimUser, int) MdmAgent(HostProfile host) => host.Mdm switch
    {
        MdmVendor.Jamf => (Images.Jamf, [Images.Jamf.Path, "launchDaemon", "-monitorUsage"], SimUser.Root, 400),
        MdmVendor.Kandji => (Images.Kandji, [Images.Kandji.Path, "--daemon"], SimUser.Root, 400),
        _ => (Images.Mosyle, [Images.Mosyle.Path], SimUser.Root, 400),
    };

    private static (ExecutableImage, string[], SimUser, int) BackupAgent(HostProfile host) => host.Backup switch
    {
        BackupVendor.Dropbox => (Images.Dropbox, [Images.Dropbox.Path], host.User, 1100),
        BackupVendor.GoogleDrive => (Images.GoogleDrive, [Images.GoogleDrive.Path, "--crash_handler_token="], host.User, 1100),
        BackupVendor.Backblaze => (Images.Backblaze, [Images.Backblaze.Path, "-bzdir", "/Library/Backblaze.bzpkg/bzdata"], SimUser.Root, 450),
        _ => throw new InvalidOperationException($"Host {host.Name} runs no backup agent."),
    };
}
