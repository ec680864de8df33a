using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim.Endpoint;

/// <summary>How a binary is signed, as macOS code-signing reports it.</summary>
internal sealed record CodeSignatureFacts(bool Exists, bool Trusted, string SubjectName, string SigningId, string TeamId, string Status)
{
    public static CodeSignatureFacts Unsigned { get; } = new(false, false, "", "", "", "errSecCSUnsigned");

    /// <summary>Apple platform binaries: signed by "Software Signing", no team id, always trusted.</summary>
    public static CodeSignatureFacts Apple(string signingId) => new(true, true, "Software Signing", signingId, "", "trusted");

    /// <summary>Third-party software notarized under a Developer ID certificate.</summary>
    public static CodeSignatureFacts DeveloperId(string organization, string teamId, string signingId) =>
        new(true, true, $"Developer ID Application: {organization} ({teamId})", signingId, teamId, "trusted");

    /// <summary>Ad-hoc signatures (linker-signed on Apple silicon, e.g. Homebrew bottles): present but not trusted.</summary>
    public static CodeSignatureFacts AdHoc(string signingId) => new(true, false, "", signingId, "", "errSecCSSignatureUntrusted");

    public CodeSignature ToProto() => new()
    {
        Exists = Exists,
        Trusted = Trusted,
        Valid = Exists,
        SubjectName = SubjectName,
        SigningId = SigningId,
        TeamId = TeamId,
        Status = Status,
    };
}
