using Did.Infrastructure.Errors;

namespace Did.Features.Dids;

/// <summary>Problems of an all-or-nothing request: every refused row counted, the first 1,000 problems (by position)
/// listed, each with the row it is about (numbers[3], range[12], dids[0], line 7). A row may have several.</summary>
internal sealed class ErrorList
{
    public const int MaxListed = 1_000;
    private List<(long Pos, string Field, string Message)> _items = [];

    public long Count { get; private set; }

    /// <summary>One refused row with one problem.</summary>
    public void Add(long pos, string field, string message) => Add(pos, field, [message]);

    /// <summary>One refused row and every problem found in it, in the order found.</summary>
    public void Add(long pos, string field, IReadOnlyList<string> messages)
    {
        Count++;
        foreach (var message in messages) _items.Add((pos, field, message));
        if (_items.Count > 4 * MaxListed) Trim();
    }

    /// <summary>Rows refused elsewhere (e.g. by SQL), one problem each, of which only the first <paramref name="listed"/>
    /// are known.</summary>
    public void AddCounted(long total, IEnumerable<(long Pos, string Field, string Message)> listed)
    {
        _items.AddRange(listed);
        Count += total;
        Trim();
    }

    /// <summary>Keeps the first 1,000 by position; a stable sort, so one position's problems stay in the order found.</summary>
    private void Trim() => _items = _items.OrderBy(i => i.Pos).Take(MaxListed).ToList();

    /// <summary>The 400 of an all-or-nothing request: problem+json whose extensions carry the contract's
    /// {imported|updated: 0, failed: rows refused, errors: {field: [messages]}}, the fields in position order.</summary>
    public void ThrowIfAny(string countName, string nothing)
    {
        if (Count == 0) return;
        Trim();
        var errors = new OrderedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (_, field, message) in _items)
        {
            if (!errors.TryGetValue(field, out var messages)) errors.Add(field, messages = []);
            messages.Add(message);
        }
        var (_, firstField, first) = _items[0];
        throw Problem.BadRequest($"{nothing}: {Count:N0} refused; the first problem is \"{firstField}: {first}\".",
            new Dictionary<string, object?> { [countName] = 0, ["failed"] = Count, ["errors"] = errors });
    }
}
