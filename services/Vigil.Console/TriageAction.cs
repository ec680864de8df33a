namespace Vigil.Console;

/// <summary>What an analyst does to an alert; each is appended to the alert's history.</summary>
public enum TriageAction
{
    Acknowledge,
    Assign,
    CloseTruePositive,
    CloseFalsePositive,
    Reopen,
}
