using Did.Infrastructure.Errors;

namespace Did.Features.Dids;

/// <summary>Problems of an all-or-nothing request: every one counted, the first 1,000 (by position) listed.</summary>
internal sealed class ErrorList
{
    public const int MaxListed = 1_000;
    private readonly List<(long Pos, string Message)> _items = [];

    public long Count { get; private set; }

    public void Add(long pos, string message)
    {
        Count++;
        _items.Add((pos, message));
        if (_items.Count > 4 * MaxListed) Trim();
    }

    /// <summary>Problems found elsewhere (e.g. by SQL) of which only the first <paramref name="listed"/> are known.</summary>
    public void AddCounted(long total, IEnumerable<(long Pos, string Message)> listed)
    {
        _items.AddRange(listed);
        Count += total;
        Trim();
    }

    public IReadOnlyList<string> Listed()
    {
        Trim();
        return _items.Select(i => i.Message).ToList();
    }

    private void Trim()
    {
        _items.Sort((a, b) => a.Pos.CompareTo(b.Pos));
        if (_items.Count > MaxListed) _items.RemoveRange(MaxListed, _items.Count - MaxListed);
    }

    /// <summary>The 400 of an all-or-nothing request: problem+json whose extensions carry the contract's
    /// {imported|updated: 0, failed: N, errors: [...]}.</summary>
    public void ThrowIfAny(string countName, string nothing)
    {
        if (Count == 0) return;
        var listed = Listed();
        throw Problem.BadRequest($"{nothing}: {Count:N0} problem(s); the first is \"{listed[0]}\".",
            new Dictionary<string, object?> { [countName] = 0, ["failed"] = Count, ["errors"] = listed });
    }
}
