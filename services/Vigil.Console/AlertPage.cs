namespace Vigil.Console;

/// <summary>One page of the filtered alert list, newest first, and how many alerts the filter selects in all.</summary>
public sealed record AlertPage(IReadOnlyList<StoredAlert> Alerts, long Total, int Page, int PageSize)
{
    public int PageCount => (int)Math.Max(1, (Total + PageSize - 1) / PageSize);
}
