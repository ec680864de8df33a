namespace Vigil.Baseline.Identity;

/// <summary>What a process image's identity was derived from, strongest first.</summary>
public enum ProcessImageIdentityKind
{
    /// <summary>A trusted code signature: team id and signing id (Apple platform binaries have no team id).</summary>
    CodeSigning,

    /// <summary>The executable path, with per-user and per-boot components collapsed.</summary>
    Path,

    /// <summary>Only the process name was known.</summary>
    Name,
}
