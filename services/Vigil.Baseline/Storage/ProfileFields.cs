namespace Vigil.Baseline.Storage;

/// <summary>
/// Field names of the Redis hashes behind a profile (one hash per image) and a host's view of it (one hash per
/// image and host: its watermark and a <see cref="HostViewDocument"/>). Short: every profile repeats them.
/// </summary>
internal static class ProfileFields
{
    // Profile hash.
    public const string Identity = "id";
    public const string IdentityKind = "kind";
    public const string FirstSeen = "f";
    public const string LastSeen = "l";
    public const string MaturedAt = "mat";
    public const string Observations = "obs";
    public const string Connections = "con";
    public const string ProtocolKinds = "pn";
    public const string ProtocolOverflow = "povf";
    public const string Alerts = "alr";
    public const string LastChanged = "chg";

    // Bumped by every script that changes the profile (seeded at random when absent, so a profile deleted and made
    // again does not repeat a version a baseline holds): a held copy at the current version is the profile.
    public const string Version = "v";
    public const string ProtocolPrefix = "p:";
    public const string ProtocolFirstSeenPrefix = "pf:";

    // An analyst's acceptance of a protocol: when (wall clock, ns), why, by whom; the latest one...
    public const string ProtocolAcceptedAtPrefix = "pa:";
    public const string ProtocolAcceptedReasonPrefix = "pr:";
    public const string ProtocolAcceptedByPrefix = "pb:";

    // ...and every one, oldest first: a JSON array of {"at": "<ns>", "reason": ..., "by": ...}.
    public const string ProtocolAcceptanceHistoryPrefix = "ph:";
    public const string SentPerConnection = "cs.";
    public const string ReceivedPerConnection = "cr.";
    public const string SentPerBucket = "bs.";
    public const string ReceivedPerBucket = "br.";

    // Statistics fields under one of the four prefixes.
    public const string Count = "n";
    public const string Mean = "m";
    public const string M2 = "q";

    // Host view hash: the watermark and the view (HostViewBinary; a JSON document in views written before it).
    public const string Watermark = "w";
    public const string HostState = "s";
}
