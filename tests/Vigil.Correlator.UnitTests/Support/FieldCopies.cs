using Vigil.Eql.Sequences;

namespace Vigil.Correlator.UnitTests.Support;

/// <summary>A write's fields as a store keeps them: names and values copied, since they may be (views of) pooled arrays.</summary>
internal static class FieldCopies
{
    public static List<KeyValuePair<byte[], byte[]>> CopiedSet(this StateFieldChanges changes) =>
        changes.Set.Select(f => KeyValuePair.Create(f.Key.ToArray(), f.Value.ToArray())).ToList();
}
