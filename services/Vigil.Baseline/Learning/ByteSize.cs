using System.Globalization;

namespace Vigil.Baseline.Learning;

/// <summary>Byte counts as analysts read them: "840 B", "12.3 KB", "31.4 MB" (powers of 1000).</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["B", "KB", "MB", "GB", "TB"];

    public static string Format(double bytes)
    {
        var unit = 0;
        while (Math.Abs(bytes) >= 1000 && unit < Units.Length - 1)
        {
            bytes /= 1000;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.#} {Units[unit]}");
    }
}
