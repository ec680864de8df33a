using System.Security.Cryptography;
using System.Text;

namespace Vigil.Baseline.Identity;

/// <summary>
/// The unit a profile is learned for: "signing:&lt;team&gt;/&lt;signing id&gt;", "signing:&lt;signing id&gt;" (Apple),
/// "path:&lt;normalized executable&gt;" or "name:&lt;process name&gt;". <see cref="Tag"/> is the Redis Cluster hash tag
/// all of the image's keys share.
/// </summary>
public sealed record ProcessImage(string Identity, ProcessImageIdentityKind Kind)
{
    private const string SigningPrefix = "signing:";
    private const string PathPrefix = "path:";
    private const string NamePrefix = "name:";

    // Every network event resolves its image: reuse instances so the tag's hash is computed once per image.
    private static readonly ProcessImageCache Known = new(capacity: 100_000);

    /// <summary>First 64 bits of SHA-256 of the identity, hex: short, slot-spreading and free of characters keys escape.</summary>
    public string Tag { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Identity)).AsSpan(0, 8));

    public static ProcessImage Signed(string teamId, string signingId)
    {
        var identity = SigningPrefix + (teamId.Length == 0 ? signingId : $"{teamId}/{signingId}");
        return Known.GetOrAdd(identity, ProcessImageIdentityKind.CodeSigning);
    }

    /// <summary>For "signing:TEAM/id", the bare signing id an analyst would type; otherwise null.</summary>
    public string? SigningIdAlias =>
        Kind == ProcessImageIdentityKind.CodeSigning && Identity.IndexOf('/', SigningPrefix.Length) is var slash and > 0 ? Identity[(slash + 1)..] : null;

    public static ProcessImage AtPath(string executable) => Known.GetOrAdd(PathPrefix + ExecutablePath.Normalize(executable), ProcessImageIdentityKind.Path);

    public static ProcessImage Named(string name) => Known.GetOrAdd(NamePrefix + name, ProcessImageIdentityKind.Name);

    /// <summary>
    /// An identity as typed by an analyst: a prefixed identity as shown in profiles, or a bare signing id, executable
    /// path or name, which may mean any of the three kinds; the candidates come strongest first.
    /// </summary>
    public static IReadOnlyList<ProcessImage> Candidates(string text)
    {
        text = text.Trim();
        if (text.StartsWith(SigningPrefix, StringComparison.Ordinal))
        {
            return [new ProcessImage(text, ProcessImageIdentityKind.CodeSigning)];
        }

        if (text.StartsWith(PathPrefix, StringComparison.Ordinal))
        {
            return [AtPath(text[PathPrefix.Length..])];
        }

        if (text.StartsWith(NamePrefix, StringComparison.Ordinal))
        {
            return [new ProcessImage(text, ProcessImageIdentityKind.Name)];
        }

        return text.StartsWith('/')
            ? [AtPath(text), Named(System.IO.Path.GetFileName(text))]
            : [new ProcessImage(SigningPrefix + text, ProcessImageIdentityKind.CodeSigning), Named(text)];
    }

    public static string KindText(ProcessImageIdentityKind kind) => kind switch
    {
        ProcessImageIdentityKind.CodeSigning => "code-signing",
        ProcessImageIdentityKind.Path => "path",
        _ => "name",
    };

    public override string ToString() => Identity;
}
