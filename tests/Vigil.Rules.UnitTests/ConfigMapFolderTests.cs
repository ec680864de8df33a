using Vigil.Rules;

namespace Vigil.Rules.UnitTests;

public sealed class ConfigMapFolderTests
{
    [Fact]
    public void AFolderMountedFromAConfigMapLoadsEachRuleOnce()
    {
        // A ConfigMap volume: the files are links into ..data, a link to a hidden timestamped folder.
        var root = Directory.CreateTempSubdirectory("vigil-configmap-");
        try
        {
            var stamped = Directory.CreateDirectory(Path.Combine(root.FullName, "..2026_11_22_21_30_00.123"));
            var source = Path.Combine(AppContext.BaseDirectory, "files", "valid", "macos", "execution_installer_package_spawned_network_event.toml");
            File.Copy(source, Path.Combine(stamped.FullName, "installer.toml"));
            Directory.CreateSymbolicLink(Path.Combine(root.FullName, "..data"), stamped.FullName);
            File.CreateSymbolicLink(Path.Combine(root.FullName, "installer.toml"), Path.Combine("..data", "installer.toml"));

            var loaded = RuleLoader.LoadDirectory(root.FullName);

            Assert.Empty(loaded.Errors);
            Assert.Single(loaded.Rules);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
