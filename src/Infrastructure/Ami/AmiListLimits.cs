namespace Did.Infrastructure.Ami;

/// <summary>How much one list answer may hold. A switch (or something that answers like one) that keeps listing must not
/// exhaust memory: past either bound the action fails with <see cref="AmiProtocolException"/> and the connection is
/// closed, since the rest of the list would still be on its way. The whole answer is also bounded in time (the
/// response timeout covers it up to its last event).</summary>
public sealed record AmiListLimits(int MaxItems, long MaxBytes)
{
    /// <summary>For a list nobody knows the size of in advance.</summary>
    public static readonly AmiListLimits Default = new(1_000_000, 256L << 20);

    /// <summary>For an answer expected to hold about <paramref name="expectedItems"/> items (what was rendered): twice as
    /// many plus 1,000, so includes, hints and what a switch adds of its own fit and a difference can still be named, of
    /// at most 4 KiB each on average.</summary>
    public static AmiListLimits Around(int expectedItems)
    {
        var items = 2 * Math.Max(0, expectedItems) + 1_000;
        return new AmiListLimits(items, items * 4096L);
    }
}
