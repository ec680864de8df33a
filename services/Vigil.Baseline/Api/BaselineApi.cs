using Grpc.Core;
using Microsoft.Extensions.Logging;
using Vigil.Baseline.Alerts;
using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;
using Vigil.Contracts.Baseline;

namespace Vigil.Baseline.Api;

/// <summary>
/// The gRPC BaselineService: what is normal for an image, which profiles need attention, why an alert fired, and an
/// analyst's verdict that a protocol is normal after all.
/// </summary>
public sealed partial class BaselineApi(ProfileDirectory directory, ChangeAuthorization authorization, TimeProvider clock, ILogger<BaselineApi> logger)
    : BaselineService.BaselineServiceBase
{
    private const int MaxReasonLength = 1000;

    public override async Task<GetProfileResponse> GetProfile(GetProfileRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Image))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "image is required: a signing id, executable path, name or identity such as signing:com.apple.curl."));
        }

        var found = await directory.FindAsync(request.Image).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"No profile for '{request.Image}'. Try `vigil baseline list` for known images."));
        var response = new GetProfileResponse { Profile = found.Profile };
        if (request.HostId.Length > 0 && await directory.FindHostViewAsync(found.Snapshot.Image, request.HostId).ConfigureAwait(false) is { } view)
        {
            response.HostView = view;
        }

        return response;
    }

    public override async Task<ListProfilesResponse> ListProfiles(ListProfilesRequest request, ServerCallContext context)
    {
        var response = new ListProfilesResponse();
        response.Profiles.Add(await directory.ListAsync(request.Filter, request.Limit).ConfigureAwait(false));
        response.Memory = await directory.GenerationAsync().ConfigureAwait(false);
        return response;
    }

    public override async Task<ExplainAlertResponse> ExplainAlert(ExplainAlertRequest request, ServerCallContext context)
    {
        var explanation = await directory.ExplainAsync(request.AlertId).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"No baseline alert '{request.AlertId}' within the explanation retention."));
        var response = new ExplainAlertResponse { Explanation = explanation };
        if (await directory.FindAsync(explanation.Image).ConfigureAwait(false) is { } current)
        {
            response.CurrentProfile = current.Profile;
        }

        return response;
    }

    public override async Task<AcceptProtocolResponse> AcceptProtocol(AcceptProtocolRequest request, ServerCallContext context)
    {
        if (!authorization.Allows(context.GetHttpContext()))
        {
            throw new RpcException(new Status(
                StatusCode.PermissionDenied,
                "Accepting a protocol changes what the baseline alerts on: present the change token (Baseline:ChangeTokenFile) as 'authorization: Bearer <token>', or call from the baseline's own host (loopback, e.g. kubectl exec or port-forward) where Baseline:AllowLoopbackChanges is on."));
        }

        var reason = request.Reason.Trim();
        if (reason.Length == 0 || reason.Length > MaxReasonLength)
        {
            throw Invalid($"reason is required (at most {MaxReasonLength} characters): why the protocol is normal for the image.");
        }

        var (image, text) = await TargetAsync(request).ConfigureAwait(false);
        if (!ProtocolSignature.TryParse(text.Trim().ToLowerInvariant(), out var signature))
        {
            throw Invalid($"'{text}' is not a protocol signature: transport/protocol/port-class, e.g. tcp/ftp/well-known (port classes: well-known, registered, ephemeral, none).");
        }

        var accepted = await directory.AcceptProtocolAsync(image, signature, reason, request.AcceptedBy.Trim(), clock.GetUtcNow()).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"No profile for '{image}'. Try `vigil baseline list` for known images."));
        LogAccepted(logger, signature.ToString(), accepted.Profile.Image, request.AcceptedBy, reason, accepted.NewlyLearned);
        return new AcceptProtocolResponse { Profile = accepted.Profile, Signature = signature.ToString(), NewlyLearned = accepted.NewlyLearned };
    }

    /// <summary>The image and signature a request names, directly or through a new-protocol alert.</summary>
    private async Task<(string Image, string Signature)> TargetAsync(AcceptProtocolRequest request)
    {
        if (request.AlertId.Length == 0)
        {
            return request.Image.Trim().Length > 0 && request.Signature.Trim().Length > 0
                ? (request.Image, request.Signature)
                : throw Invalid("Name the protocol to accept: image and signature, or alert_id of a new-protocol alert.");
        }

        if (request.Image.Length > 0 || request.Signature.Length > 0)
        {
            throw Invalid("Give alert_id, or image and signature, not both.");
        }

        var explanation = await directory.ExplainAsync(request.AlertId).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"No baseline alert '{request.AlertId}' within the explanation retention."));
        var observed = explanation.RuleId == BaselineRules.NewProtocolId
            ? explanation.Observations.FirstOrDefault(o => o.Name == BaselineAlertBuilder.ProtocolObservation)?.Observed
            : null;
        return observed is null
            ? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Alert '{request.AlertId}' was raised by {explanation.RuleId}; only new-protocol alerts name a protocol to accept."))
            : (explanation.Image, observed);
    }

    private static RpcException Invalid(string detail) => new(new Status(StatusCode.InvalidArgument, detail));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepted {Signature} as normal for {Image} (by '{AcceptedBy}': {Reason}); newly learned: {NewlyLearned}")]
    private static partial void LogAccepted(ILogger logger, string signature, string image, string acceptedBy, string reason, bool newlyLearned);
}
