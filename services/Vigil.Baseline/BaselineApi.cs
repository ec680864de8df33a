using Grpc.Core;
using Vigil.Contracts.Baseline;

namespace Vigil.Baseline;

/// <summary>The gRPC BaselineService: what is normal for an image, which profiles need attention, why an alert fired.</summary>
public sealed class BaselineApi(ProfileDirectory directory) : BaselineService.BaselineServiceBase
{
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
}
