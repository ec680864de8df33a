namespace Vigil.Detection;

/// <summary>The metric label and report word of each <see cref="AlertDrop"/> (the values dashboards already use).</summary>
public static class AlertDropLabels
{
    public static string Label(this AlertDrop drop) => drop switch
    {
        AlertDrop.Duplicate => "duplicate",
        AlertDrop.Suppressed => "suppressed",
        _ => "max-signals",
    };
}
