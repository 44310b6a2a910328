using System.Text;

namespace Did.Infrastructure.Ami;

/// <summary>The strings of one connection's packets that repeat: keys come from a small set, and most values equal the
/// previous value of the same key (every <c>ListDialplan</c> event of a ShowDialPlan answer carries the same Event,
/// ActionID, Context and Registrar). Reusing them instead of decoding again saves most of the ~16 strings per event
/// that verifying a dialplan of a million priorities would otherwise allocate. Strings are reused only for the very
/// same bytes, so what callers see does not change. Not thread-safe: one per <see cref="AmiFrameReader"/>.</summary>
internal sealed class AmiStringCache
{
    private const int MaxCachedValueBytes = 64;

    // In the order of a ListDialplan event first: the lookup tries them in turn.
    private static readonly string[] Keys =
    [
        "Event", "ActionID", "Context", "Extension", "Priority", "Application", "AppData", "Registrar", "Response",
        "Message", "EventList", "ListItems", "IncludeContext", "Privilege", "Status", "Module", "Output", "Timestamp",
        "SystemName", "ListExtensions", "ListPriorities", "ListContexts",
    ];

    private static readonly byte[][] KeyBytes = [.. Keys.Select(Encoding.UTF8.GetBytes)];

    private readonly byte[][] _lastBytes = [.. Keys.Select(_ => new byte[MaxCachedValueBytes])];
    private readonly int[] _lastLength = [.. Keys.Select(_ => -1)];
    private readonly string[] _lastValue = [.. Keys.Select(_ => "")];

    public KeyValuePair<string, string> Field(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var k = IndexOfKey(key);
        if (k < 0) return new(Decode(key), Decode(value));
        if (value.Length > MaxCachedValueBytes) return new(Keys[k], Decode(value));
        var last = _lastBytes[k].AsSpan(0, Math.Max(0, _lastLength[k]));
        if (_lastLength[k] == value.Length && value.SequenceEqual(last)) return new(Keys[k], _lastValue[k]);
        var decoded = Decode(value);
        value.CopyTo(_lastBytes[k]);
        _lastLength[k] = value.Length;
        _lastValue[k] = decoded;
        return new(Keys[k], decoded);
    }

    // Exact bytes only: a key spelled in another case keeps its own spelling.
    private static int IndexOfKey(ReadOnlySpan<byte> key)
    {
        for (var i = 0; i < KeyBytes.Length; i++)
            if (KeyBytes[i].Length == key.Length && key.SequenceEqual(KeyBytes[i])) return i;
        return -1;
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);
}
