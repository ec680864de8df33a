namespace Vigil.FleetSim.Endpoint;

/// <summary>The binaries simulated Macs run, with the paths and signatures real macOS installs have.</summary>
internal static class Images
{
    private const string ChromeVersion = "134.0.6998.89";
    private const string ChromeFramework = $"/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/{ChromeVersion}";
    private const string WebKitServices = "/System/Library/Frameworks/WebKit.framework/Versions/A/XPCServices";

    private static readonly CodeSignatureFacts Google = CodeSignatureFacts.DeveloperId("Google LLC", "EQHXZ8M8AV", "com.google.Chrome");
    private static readonly CodeSignatureFacts MicrosoftWord = CodeSignatureFacts.DeveloperId("Microsoft Corporation", "UBF8T346G9", "com.microsoft.Word");

    // Apple platform binaries.
    public static readonly ExecutableImage Launchd = Apple("/sbin/launchd", "com.apple.xpc.launchd");
    public static readonly ExecutableImage LoginWindow = Apple("/System/Library/CoreServices/loginwindow.app/Contents/MacOS/loginwindow", "com.apple.loginwindow");
    public static readonly ExecutableImage Finder = Apple("/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder", "com.apple.finder");
    public static readonly ExecutableImage Dock = Apple("/System/Library/CoreServices/Dock.app/Contents/MacOS/Dock", "com.apple.dock");
    public static readonly ExecutableImage Terminal = Apple("/System/Applications/Utilities/Terminal.app/Contents/MacOS/Terminal", "com.apple.Terminal");
    public static readonly ExecutableImage Safari = Apple("/Applications/Safari.app/Contents/MacOS/Safari", "com.apple.Safari");
    public static readonly ExecutableImage WebContent = Apple($"{WebKitServices}/com.apple.WebKit.WebContent.xpc/Contents/MacOS/com.apple.WebKit.WebContent", "com.apple.WebKit.WebContent");
    public static readonly ExecutableImage WebNetworking = Apple($"{WebKitServices}/com.apple.WebKit.Networking.xpc/Contents/MacOS/com.apple.WebKit.Networking", "com.apple.WebKit.Networking");
    public static readonly ExecutableImage SoftwareUpdated = Apple("/System/Library/PrivateFrameworks/SoftwareUpdate.framework/Versions/A/Resources/softwareupdated", "com.apple.softwareupdated");
    public static readonly ExecutableImage Zsh = Apple("/bin/zsh", "com.apple.zsh");
    public static readonly ExecutableImage Bash = Apple("/bin/bash", "com.apple.bash");
    public static readonly ExecutableImage Sh = Apple("/bin/sh", "com.apple.sh");
    public static readonly ExecutableImage Curl = Apple("/usr/bin/curl", "com.apple.curl");
    public static readonly ExecutableImage Python3 = Apple("/usr/bin/python3", "com.apple.python3");
    public static readonly ExecutableImage Git = Apple("/Library/Developer/CommandLineTools/usr/bin/git", "com.apple.git");
    public static readonly ExecutableImage Osascript = Apple("/usr/bin/osascript", "com.apple.osascript");
    public static readonly ExecutableImage AutomatorRunner = Apple(
        "/System/Library/Frameworks/Automator.framework/Versions/A/XPCServices/com.apple.Automator.xpc.workflowServiceRunner.xpc/Contents/MacOS/com.apple.Automator.xpc.workflowServiceRunner",
        "com.apple.Automator.xpc.workflowServiceRunner");
    public static readonly ExecutableImage Sips = Apple("/usr/bin/sips", "com.apple.sips");
    public static readonly ExecutableImage Installer = Apple("/usr/sbin/installer", "com.apple.installer");
    public static readonly ExecutableImage InstallerApp = Apple("/System/Library/CoreServices/Installer.app/Contents/MacOS/Installer", "com.apple.Installer");
    public static readonly ExecutableImage PackageScriptService = Apple("/System/Library/PrivateFrameworks/PackageKit.framework/Versions/A/Resources/package_script_service", "com.apple.package_script_service");
    public static readonly ExecutableImage Sudo = Apple("/usr/bin/sudo", "com.apple.sudo");
    public static readonly ExecutableImage Launchctl = Apple("/bin/launchctl", "com.apple.xpc.launchctl");
    public static readonly ExecutableImage Chmod = Apple("/bin/chmod", "com.apple.chmod");
    public static readonly ExecutableImage Xattr = Apple("/usr/bin/xattr", "com.apple.xattr");
    public static readonly ExecutableImage Dseditgroup = Apple("/usr/sbin/dseditgroup", "com.apple.dseditgroup");
    public static readonly ExecutableImage Syspolicyd = Apple("/usr/libexec/syspolicyd", "com.apple.syspolicyd");
    public static readonly ExecutableImage Tccd = Apple("/System/Library/PrivateFrameworks/TCC.framework/Support/tccd", "com.apple.tccd");
    public static readonly ExecutableImage ArchiveUtility = Apple("/System/Library/CoreServices/Applications/Archive Utility.app/Contents/MacOS/Archive Utility", "com.apple.archiveutility");

    // Apple frameworks that helpers load.
    public static readonly ExecutableImage WebKitFramework = Apple("/System/Library/Frameworks/WebKit.framework/Versions/A/WebKit", "com.apple.WebKit");
    public static readonly ExecutableImage JavaScriptCore = Apple("/System/Library/Frameworks/JavaScriptCore.framework/Versions/A/JavaScriptCore", "com.apple.JavaScriptCore");

    // Third-party applications and agents.
    public static readonly ExecutableImage Chrome = new("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", Google);
    public static readonly ExecutableImage ChromeRenderer = new(
        $"{ChromeFramework}/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer)",
        Google with { SigningId = "com.google.Chrome.helper.renderer" });
    public static readonly ExecutableImage ChromeHelper = new(
        $"{ChromeFramework}/Helpers/Google Chrome Helper.app/Contents/MacOS/Google Chrome Helper",
        Google with { SigningId = "com.google.Chrome.helper" });
    public static readonly ExecutableImage ChromeFrameworkLibrary = new($"{ChromeFramework}/Google Chrome Framework", Google with { SigningId = "com.google.Chrome.framework" });
    public static readonly ExecutableImage Firefox = new("/Applications/Firefox.app/Contents/MacOS/firefox", CodeSignatureFacts.DeveloperId("Mozilla Corporation", "43AQ936H96", "org.mozilla.firefox"));
    public static readonly ExecutableImage Brave = new("/Applications/Brave Browser.app/Contents/MacOS/Brave Browser", CodeSignatureFacts.DeveloperId("Brave Software, Inc.", "KL8N8XSYF4", "com.brave.Browser"));
    public static readonly ExecutableImage Edge = new("/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge", CodeSignatureFacts.DeveloperId("Microsoft Corporation", "UBF8T346G9", "com.microsoft.edgemac"));
    public static readonly ExecutableImage Arc = new("/Applications/Arc.app/Contents/MacOS/Arc", CodeSignatureFacts.DeveloperId("The Browser Company of New York Inc.", "S6N382Y83G", "company.thebrowser.Browser"));
    public static readonly ExecutableImage Word = new("/Applications/Microsoft Word.app/Contents/MacOS/Microsoft Word", MicrosoftWord);
    public static readonly ExecutableImage Slack = new("/Applications/Slack.app/Contents/MacOS/Slack", CodeSignatureFacts.DeveloperId("Slack Technologies, Inc.", "BQR82RBBHL", "com.tinyspeck.slackmacgap"));
    public static readonly ExecutableImage Jamf = new("/usr/local/jamf/bin/jamf", CodeSignatureFacts.DeveloperId("JAMF Software", "483DWKW443", "com.jamfsoftware.jamf"));
    public static readonly ExecutableImage Kandji = new("/Library/Kandji/Kandji Agent.app/Contents/MacOS/kandji-daemon", CodeSignatureFacts.DeveloperId("Kandji, Inc.", "P3FGV63VK7", "io.kandji.KandjiAgent"));
    public static readonly ExecutableImage Mosyle = new("/Library/Application Support/Mosyle/MosyleMDM.app/Contents/MacOS/MosyleMDM", CodeSignatureFacts.DeveloperId("Mosyle Corporation", "JQ5T3CHXFA", "com.mosyle.macos.agent"));
    public static readonly ExecutableImage Dropbox = new("/Applications/Dropbox.app/Contents/MacOS/Dropbox", CodeSignatureFacts.DeveloperId("Dropbox, Inc.", "G7HH3F8CAK", "com.getdropbox.dropbox"));
    public static readonly ExecutableImage GoogleDrive = new("/Applications/Google Drive.app/Contents/MacOS/Google Drive", Google with { SigningId = "com.google.drivefs" });
    public static readonly ExecutableImage Backblaze = new("/Library/Backblaze.bzpkg/bztransmit", CodeSignatureFacts.DeveloperId("Backblaze Inc", "QM6MAQ8NSC", "com.backblaze.bztransmit"));

    /// <summary>Homebrew's wget bottle: linker-signed, so the signature exists but is not trusted.</summary>
    public static ExecutableImage Wget(string brewPrefix) => new($"{brewPrefix}/Cellar/wget/1.25.0/bin/wget", CodeSignatureFacts.AdHoc("wget"));

    /// <summary>Homebrew's bundled Ruby, which runs brew's commands and in turn curl.</summary>
    public static ExecutableImage BrewRuby(string brewPrefix) =>
        new($"{brewPrefix}/Library/Homebrew/vendor/portable-ruby/3.3.7/bin/ruby", CodeSignatureFacts.AdHoc("ruby"));

    private static ExecutableImage Apple(string path, string signingId) => new(path, CodeSignatureFacts.Apple(signingId));
}
