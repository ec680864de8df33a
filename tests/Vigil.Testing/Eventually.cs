namespace Vigil.Testing;

/// <summary>Waits for a condition that asynchronous work makes true, failing with what was awaited.</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what) => TrueAsync(condition, timeout, () => what);

    /// <summary>As the other, with what was awaited told when it gives up (so it can show what happened meanwhile).</summary>
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up after {timeout.TotalSeconds:F0}s waiting until {what()}.");
            }

            await Task.Delay(50);
        }
    }
}
