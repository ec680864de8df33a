using System.Globalization;
using System.Text;

namespace Vigil.Console;

/// <summary>Reads Prometheus' text exposition format (version 0.0.4), as prometheus-net writes it, into samples.</summary>
public static class PrometheusText
{
    public static List<MetricSample> Parse(string text)
    {
        var samples = new List<MetricSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            string name;
            string rest;
            if (brace >= 0 && (space < 0 || brace < space))
            {
                name = line[..brace];
                var end = ReadLabels(line, brace + 1, labels);
                if (end < 0)
                {
                    continue;
                }

                rest = line[end..].Trim();
            }
            else if (space > 0)
            {
                name = line[..space];
                rest = line[space..].Trim();
            }
            else
            {
                continue;
            }

            var valueText = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (valueText is not null && TryValue(valueText, out var value))
            {
                samples.Add(new MetricSample(name, labels, value));
            }
        }

        return samples;
    }

    private static bool TryValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>Reads name="value" pairs up to the closing brace; returns the index after it, or -1 when malformed.</summary>
    private static int ReadLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (i < line.Length)
        {
            while (i < line.Length && (line[i] == ',' || line[i] == ' '))
            {
                i++;
            }

            if (i < line.Length && line[i] == '}')
            {
                return i + 1;
            }

            var eq = line.IndexOf('=', i);
            if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"')
            {
                return -1;
            }

            var name = line[i..eq].Trim();
            var value = new StringBuilder();
            i = eq + 2;
            while (i < line.Length && line[i] != '"')
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }

                i++;
            }

            labels[name] = value.ToString();
            i++;
        }

        return -1;
    }
}
