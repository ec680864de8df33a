using System.Globalization;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Baseline;
using Vigil.Contracts.Telemetry;
using Vigil.Contracts;
using Vigil.Detection;

namespace Vigil.Baseline.Alerts;

/// <summary>
/// Builds baseline alerts in the common Alert contract: the network events as evidence, and expected-versus-observed
/// facts (the profile at detection time against what the events showed) as observations, so an analyst sees why.
/// Ids are deterministic over the rule and the evidence event ids, so a replay produces the same alert.
/// </summary>
public sealed class BaselineAlertBuilder(BaselineOptions options, TimeProvider clock, string producer)
{
    /// <summary>The observation of a new-protocol alert that holds the protocol signature seen.</summary>
    public const string ProtocolObservation = "network.protocol";

    private const int ProtocolsShown = 8;

    public BaselineDetection NewProtocol(NetworkObservation observation, ProcessChain chain, ProfileSnapshot profile, HostImageState host)
    {
        observation.Event.Complete();
        var driven = chain.IsAutomationDriving(observation.Signature);
        var rule = BaselineRules.NewProtocol(driven);
        var signature = observation.Signature.ToString();
        var known = KnownProtocols(profile);
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"{ProcessName(observation)} ({profile.Image}) on {HostName(observation)} used {signature}{To(observation)}, never seen for this image in {profile.Observations} observations (known: {known}){Via(chain, driven)}");
        var observations = new List<Observation>
        {
            new()
            {
                Name = ProtocolObservation,
                Observed = signature,
                Expected = known,
                Detail = string.Create(CultureInfo.InvariantCulture,
                    $"profile mature since {EcsTimestamp.Format(profile.MaturedAt > 0 ? profile.MaturedAt : profile.LastSeen)}; learned from {profile.Observations} observations between {EcsTimestamp.Format(profile.FirstSeen)} and {EcsTimestamp.Format(profile.LastSeen)}"),
            },
            new()
            {
                Name = "destination",
                Observed = observation.Destination,
                Expected = string.Empty,
                Detail = $"{observation.Event.Network?.Transport} {observation.Event.Network?.Direction}".Trim(),
            },
            HostProtocols(host),
        };
        observations.AddRange(ChainObservations(chain, driven));
        return Build(rule, observation, chain, profile.Image, reason, observations, [observation]);
    }

    public BaselineDetection Volume(
        NetworkObservation trigger,
        ProcessChain chain,
        ProfileSnapshot profile,
        HostImageState host,
        VolumeFinding finding,
        IReadOnlyList<string> earlierEvidenceIds,
        IReadOnlyList<NetworkObservation> inHand)
    {
        trigger.Event.Complete();
        var driven = chain.IsAutomationDriving(trigger.Signature);
        var rule = BaselineRules.Volume(driven);
        var width = options.BucketWidth.TotalSeconds;
        var threshold = finding.BucketStatistics.ThresholdBytes(options.VolumeSigma, options.MinLogStdDev, options.MaxLogStdDev, options.VolumeFloorBytes);
        var count = host.History.AnomalousCount;
        var why = finding.Extreme
            ? string.Create(CultureInfo.InvariantCulture, $"{finding.ZScore:0.0}σ above its baseline in one bucket")
            : string.Create(CultureInfo.InvariantCulture, $"anomalous in {count} of the last {options.PersistenceWindow} buckets");
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"{ProcessName(trigger)} ({profile.Image}) on {HostName(trigger)} {finding.Direction} {ByteSize.Format(finding.BucketBytes)} in a {width:0.#} s bucket, typical {ByteSize.Format(finding.BucketStatistics.TypicalBytes)}: {why}{Via(chain, driven)}");
        var ids = earlierEvidenceIds.Append(trigger.EventId).Distinct().ToList();
        var observations = new List<Observation>
        {
            new()
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"bytes {finding.Direction} per {width:0.#} s bucket"),
                Observed = finding.BucketBytes.ToString(CultureInfo.InvariantCulture),
                Expected = string.Create(CultureInfo.InvariantCulture, $"typical {ByteSize.Format(finding.BucketStatistics.TypicalBytes)}, anomalous above {ByteSize.Format(threshold)}"),
                Detail = string.Create(CultureInfo.InvariantCulture,
                    $"{finding.ZScore:0.0}σ above the mean of log(1+bytes) over {finding.BucketStatistics.Count} buckets (mean {finding.BucketStatistics.Mean:0.00}, σ {finding.BucketStatistics.StdDev:0.00}, judged with {finding.BucketStatistics.Spread(options.MinLogStdDev, options.MaxLogStdDev):0.00}); threshold {options.VolumeSigma:0.#}σ and at least {ByteSize.Format(options.VolumeFloorBytes)}"),
            },
            new()
            {
                Name = "anomalous buckets",
                Observed = string.Create(CultureInfo.InvariantCulture, $"{count} of the last {options.PersistenceWindow}"),
                Expected = finding.Extreme
                    ? string.Create(CultureInfo.InvariantCulture, $"below {options.ExtremeVolumeSigma:0.#}σ in any single bucket")
                    : string.Create(CultureInfo.InvariantCulture, $"fewer than {options.PersistenceBuckets} of {options.PersistenceWindow}"),
                Detail = "evidence events: " + string.Join(", ", ids),
            },
            new()
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"bytes {finding.Direction} per connection"),
                Observed = finding.ConnectionBytes.ToString(CultureInfo.InvariantCulture),
                Expected = finding.ConnectionStatistics.Count == 0
                    ? "no completed connections learned"
                    : string.Create(CultureInfo.InvariantCulture,
                        $"typical {ByteSize.Format(finding.ConnectionStatistics.TypicalBytes)}, anomalous above {ByteSize.Format(finding.ConnectionStatistics.ThresholdBytes(options.VolumeSigma, options.MinLogStdDev, options.MaxLogStdDev, options.VolumeFloorBytes))}"),
                Detail = string.Create(CultureInfo.InvariantCulture, $"{trigger.Signature} to {trigger.Destination}; learned from {finding.ConnectionStatistics.Count} connections"),
            },
        };
        observations.AddRange(ChainObservations(chain, driven));
        var evidence = inHand.Where(o => ids.Contains(o.EventId)).DistinctBy(o => o.EventId).ToList();
        return Build(rule, trigger, chain, profile.Image, reason, observations, evidence, ids);
    }

    private BaselineDetection Build(
        Rule rule,
        NetworkObservation trigger,
        ProcessChain chain,
        ProcessImage image,
        string reason,
        List<Observation> observations,
        IReadOnlyList<NetworkObservation> evidence,
        IReadOnlyList<string>? evidenceIds = null)
    {
        var ids = evidenceIds ?? evidence.Select(e => e.EventId).ToList();

        // The baseline decodes only the fields it reads (BaselineHandler.FieldsRead); an alert carries its events whole.
        foreach (var observation in evidence)
        {
            observation.Event.Complete();
        }

        var e = trigger.Event;
        var alert = new Alert
        {
            Id = AlertFactory.AlertId(rule.Id, ids),
            Rule = rule,
            Host = e.Host?.Clone() ?? new Vigil.Contracts.Telemetry.Host { Id = trigger.HostId },
            User = (e.User ?? e.Process?.User)?.Clone() ?? new User(),
            FirstEventTime = evidence.Min(o => o.Timestamp),
            LastEventTime = evidence.Max(o => o.Timestamp),
            DetectionTime = clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000,
            Reason = reason,
            Producer = producer,
        };
        alert.JoinKeys.Add(new JoinKey { Field = "host.id", Value = trigger.HostId });
        alert.JoinKeys.Add(new JoinKey { Field = "process.entity_id", Value = e.Process?.EntityId ?? string.Empty });
        alert.JoinKeys.Add(new JoinKey { Field = "process.executable", Value = e.Process?.Executable ?? string.Empty });
        for (var step = 0; step < evidence.Count; step++)
        {
            alert.Evidence.Add(new Evidence { Step = step, Event = evidence[step].Event.Clone() });
        }

        alert.Observations.Add(observations);
        var explanation = new AlertExplanation
        {
            AlertId = alert.Id,
            RuleId = rule.Id,
            Image = image.Identity,
            HostId = trigger.HostId,
            Severity = rule.Severity,
            Reason = reason,
            DetectionTime = alert.DetectionTime,
        };
        explanation.Observations.Add(observations.Select(o => o.Clone()));
        explanation.EvidenceEventIds.Add(ids);
        explanation.ProcessChain.Add(chain.Links.Select(l => l.Describe()));
        return new BaselineDetection(image, alert, explanation);
    }

    private static string KnownProtocols(ProfileSnapshot profile)
    {
        var shown = profile.Protocols.OrderByDescending(p => p.Value.Count).ThenBy(p => p.Key, StringComparer.Ordinal).Take(ProtocolsShown)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} ×{p.Value.Count}"));
        var text = string.Join(", ", shown);
        return profile.Protocols.Count > ProtocolsShown ? $"{text}, … ({profile.Protocols.Count} in all)" : text;
    }

    private static Observation HostProtocols(HostImageState host) => new()
    {
        Name = "protocols of this image on this host before",
        Observed = host.Protocols.Count == 0
            ? "none: the image's first network use on this host"
            : string.Join(", ", host.Protocols.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} ×{p.Value}"))),
        Expected = string.Empty,
        Detail = host.FirstSeen > 0 ? $"host view since {EcsTimestamp.Format(host.FirstSeen)}" : string.Empty,
    };

    private static IEnumerable<Observation> ChainObservations(ProcessChain chain, bool driven)
    {
        if (chain.Links.Count == 0)
        {
            yield break;
        }

        yield return new Observation
        {
            Name = "process chain",
            Observed = chain.ToString(),
            Expected = string.Empty,
            Detail = driven
                ? $"{chain.AutomationDriver!.Describe()} drives {chain.Links[0].Name}: severity raised"
                : string.Join(" ← ", chain.Links.Select(l => l.Describe())),
        };
    }

    private static string ProcessName(NetworkObservation o) => o.Event.Process?.Name is { Length: > 0 } name ? name : o.Image.Identity;

    private static string HostName(NetworkObservation o) => o.Event.Host?.Name is { Length: > 0 } name ? name : o.HostId;

    private static string To(NetworkObservation o) => o.Destination.Length > 0 ? $" to {o.Destination}" : string.Empty;

    private static string Via(ProcessChain chain, bool driven) => driven ? $", driven by {chain.AutomationDriver!.Name} ({chain})" : string.Empty;
}
