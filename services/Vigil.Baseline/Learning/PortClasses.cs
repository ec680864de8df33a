namespace Vigil.Baseline.Learning;

/// <summary>Classifies ports and names the classes as profiles show them.</summary>
public static class PortClasses
{
    public static PortClass Of(long port) => port switch
    {
        >= 1 and <= 1023 => PortClass.WellKnown,
        >= 1024 and <= 49151 => PortClass.Registered,
        >= 49152 and <= 65535 => PortClass.Ephemeral,
        _ => PortClass.None,
    };

    public static string Text(PortClass portClass) => portClass switch
    {
        PortClass.WellKnown => "well-known",
        PortClass.Registered => "registered",
        PortClass.Ephemeral => "ephemeral",
        _ => "none",
    };

    public static bool TryParse(string text, out PortClass portClass)
    {
        foreach (var candidate in Enum.GetValues<PortClass>())
        {
            if (Text(candidate) == text)
            {
                portClass = candidate;
                return true;
            }
        }

        portClass = PortClass.None;
        return false;
    }
}
