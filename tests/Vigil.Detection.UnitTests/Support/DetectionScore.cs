using System.Globalization;
using System.Text;
using Vigil.Contracts.Alerts;
using Vigil.FleetSim;

namespace Vigil.Detection.UnitTests.Support;

/// <summary>
/// Alerts scored against fleet-sim's ground truth, per analytic. An alert is a true positive when it cites events of an
/// attack scenario of its own analytic (exact when it cites exactly the scenario's evidence), a false positive when it
/// cites events of a look-alike scenario or only background events. Recall counts completed attack scenarios of the
/// analytics the rules cover (AN1227 belongs to the baseline service; its scenarios only count as look-alike traps).
/// </summary>
internal sealed class DetectionScore
{
    private readonly Dictionary<string, Counts> byAnalytic = new(StringComparer.OrdinalIgnoreCase);

    public DetectionScore(IReadOnlyList<GroundTruthRecord> records, IReadOnlyList<Alert> alerts, IReadOnlyCollection<string> coveredAnalytics)
    {
        var scenarioOf = new Dictionary<string, GroundTruthRecord>();
        foreach (var record in records)
        {
            foreach (var id in record.EventIds)
            {
                scenarioOf[id] = record;
            }
        }

        var detected = new HashSet<string>();
        foreach (var alert in alerts)
        {
            var counts = For(alert.Rule.AnalyticId);
            var evidence = alert.EvidenceIds();
            var cited = evidence.Where(scenarioOf.ContainsKey).Select(id => scenarioOf[id]).Distinct().ToList();
            if (cited.Count == 0)
            {
                counts.BackgroundFalsePositives.Add(alert);
            }
            else if (cited.Any(r => r.Label == ScenarioLabel.Benign))
            {
                counts.LookAlikeFalsePositives.Add(alert);
            }
            else if (cited.FirstOrDefault(r => string.Equals(r.AnalyticId, alert.Rule.AnalyticId, StringComparison.OrdinalIgnoreCase)) is { } attack)
            {
                counts.TruePositives++;
                if (attack.EvidenceEventIds.SequenceEqual(evidence))
                {
                    counts.ExactEvidence++;
                }

                detected.Add(attack.ScenarioId);
            }
            else
            {
                counts.OtherAnalyticsAttacks++;
            }
        }

        foreach (var attack in records.Where(r => r.Label == ScenarioLabel.Malicious && r.Complete && coveredAnalytics.Contains(r.AnalyticId, StringComparer.OrdinalIgnoreCase)))
        {
            var counts = For(attack.AnalyticId);
            counts.Attacks++;
            if (!detected.Contains(attack.ScenarioId))
            {
                counts.Missed.Add(attack);
            }
        }

        foreach (var lookAlike in records.Where(r => r.Label == ScenarioLabel.Benign))
        {
            For(lookAlike.AnalyticId).LookAlikes++;
        }
    }

    public IReadOnlyDictionary<string, Counts> ByAnalytic => byAnalytic;

    public string Report()
    {
        var text = new StringBuilder("analytic             attacks  detected  recall  alerts  TP  exact  FP(look-alike)  FP(background)  precision  other-attacks  look-alikes\n");
        foreach (var (analytic, c) in byAnalytic.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var alerts = c.TruePositives + c.LookAlikeFalsePositives.Count + c.BackgroundFalsePositives.Count;
            text.AppendLine(CultureInfo.InvariantCulture, $"{analytic,-20} {c.Attacks,7}  {c.Attacks - c.Missed.Count,8}  {Ratio(c.Attacks - c.Missed.Count, c.Attacks),6}  {alerts + c.OtherAnalyticsAttacks,6}  {c.TruePositives,2}  {c.ExactEvidence,5}  {c.LookAlikeFalsePositives.Count,14}  {c.BackgroundFalsePositives.Count,14}  {Ratio(c.TruePositives, alerts),9}  {c.OtherAnalyticsAttacks,13}  {c.LookAlikes,11}");
        }

        return text.ToString();
    }

    private static string Ratio(int part, int whole) => whole == 0 ? "-" : ((double)part / whole).ToString("0.000", CultureInfo.InvariantCulture);

    private Counts For(string analytic) => byAnalytic.TryGetValue(analytic, out var counts) ? counts : byAnalytic[analytic] = new Counts();

    /// <summary>One analytic's tally.</summary>
    internal sealed class Counts
    {
        public int Attacks { get; set; }

        public int LookAlikes { get; set; }

        public int TruePositives { get; set; }

        public int ExactEvidence { get; set; }

        /// <summary>Alerts citing an attack scenario written for another analytic (a second angle on a real attack).</summary>
        public int OtherAnalyticsAttacks { get; set; }

        public List<GroundTruthRecord> Missed { get; } = [];

        public List<Alert> LookAlikeFalsePositives { get; } = [];

        public List<Alert> BackgroundFalsePositives { get; } = [];
    }
}
