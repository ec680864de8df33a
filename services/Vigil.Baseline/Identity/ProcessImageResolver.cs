using Vigil.Contracts.Telemetry;

namespace Vigil.Baseline.Identity;

/// <summary>
/// Which image a process runs. A trusted code signature identifies the program wherever it is installed; ad-hoc and
/// untrusted signatures do not (anyone can choose their signing id), so those fall back to the executable path, and
/// an event with neither falls back to the process name.
/// </summary>
public static class ProcessImageResolver
{
    /// <summary>The image of <paramref name="process"/>, or null when the event names no process at all.</summary>
    public static ProcessImage? Resolve(Process? process)
    {
        if (process is null)
        {
            return null;
        }

        if (process.CodeSignature is { Exists: true, Trusted: true, SigningId.Length: > 0 } signature)
        {
            return ProcessImage.Signed(signature.TeamId, signature.SigningId);
        }

        if (process.Executable.Length > 0)
        {
            return ProcessImage.AtPath(process.Executable);
        }

        return process.Name.Length > 0 ? ProcessImage.Named(process.Name) : null;
    }
}
