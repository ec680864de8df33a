using Microsoft.Extensions.Options;

namespace Vigil.Agent;

/// <summary>Rejects agent settings that cannot work, naming the key.</summary>
internal sealed class AgentOptionsValidation : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var failures = new List<string>();
        void Require(bool ok, string key, string problem)
        {
            if (!ok)
            {
                failures.Add($"{AgentOptions.Section}:{key} {problem}.");
            }
        }

        Require(!string.IsNullOrWhiteSpace(options.HostId), nameof(AgentOptions.HostId), "is required (the Mac's hardware UUID is a good choice)");
        Require(!string.IsNullOrWhiteSpace(options.Eslogger.Executable), "Eslogger:Executable", "is required");
        Require(options.Eslogger.RestartDelay > TimeSpan.Zero, "Eslogger:RestartDelay", "must be positive");
        Require(options.Eslogger.ProcessTableCapacity >= 16, "Eslogger:ProcessTableCapacity", "must be at least 16");
        Require(!options.Network.Enabled || !string.IsNullOrWhiteSpace(options.Network.Executable), "Network:Executable", "is required when the network source is enabled");
        Require(options.Network.Interval >= TimeSpan.FromMilliseconds(100), "Network:Interval", "must be at least 100ms");
        Require(!string.IsNullOrWhiteSpace(options.Buffer.Directory), "Buffer:Directory", "is required");
        Require(options.Buffer.SegmentBytes >= 1024, "Buffer:SegmentBytes", "must be at least 1024");
        Require(options.Buffer.MaxBytes >= options.Buffer.SegmentBytes * 2, "Buffer:MaxBytes", "must be at least twice Buffer:SegmentBytes");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
