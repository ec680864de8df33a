using Vigil.Contracts.Alerts;

namespace Vigil.Detection;

/// <summary>What one <see cref="AlertOutbox"/> pass did with its candidates.</summary>
public sealed class OutboxResult
{
    /// <summary>Alerts published by this pass, in candidate order.</summary>
    public List<Alert> Published { get; } = [];

    /// <summary>Candidates not published, with why, in candidate order.</summary>
    public List<(Alert Alert, AlertDrop Why)> Dropped { get; } = [];
}
