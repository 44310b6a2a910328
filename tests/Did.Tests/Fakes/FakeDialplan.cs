using System.Buffers;
using System.Globalization;
using System.Text;

namespace Did.Tests.Fakes;

/// <summary>A priority as installed. <see cref="Priority"/> is <see cref="Hint"/> for a hint. <see cref="Label"/> is not
/// something AMI reports; the fake keeps it to follow a Goto to a label.</summary>
public sealed record FakePriority(int Priority, string Application, string AppData)
{
    public const int Hint = -1;
    public string? Label { get; init; }
}

/// <summary>An extension (literal or <c>_</c>pattern) and its priorities in order. <see cref="Name"/> is as written,
/// caller-ID match included (<c>+15551230001/_+44.</c>); each caller-ID variant is an extension of its own, which AMI lists
/// under its <see cref="Number"/> only (README, "Routing by caller ID and by time").</summary>
public sealed class FakeExtension(string name)
{
    public string Name { get; } = name;
    /// <summary>The extension without its caller-ID match: what ShowDialPlan reports.</summary>
    public string Number { get; } = name.IndexOf('/') is var slash and >= 0 ? name[..slash] : name;
    /// <summary>The caller-ID match (exact number or <c>_</c>pattern), or null for the plain extension.</summary>
    public string? CallerId { get; } = name.IndexOf('/') is var slash and >= 0 ? name[(slash + 1)..] : null;
    public bool IsPattern => Number.StartsWith('_');
    public List<FakePriority> Priorities { get; } = [];

    /// <summary>Whether a call from <paramref name="callerId"/> may take this variant (the plain extension takes any call;
    /// an empty caller ID matches no caller-ID match).</summary>
    public bool TakesCaller(string? callerId) =>
        CallerId is null || !string.IsNullOrEmpty(callerId) && FakeExtensionPattern.Matches(CallerId, callerId);
}

/// <summary>An installed context: extensions in Asterisk's order (literals first, then patterns; the variants of one
/// extension: an exact caller-ID match, then a caller-ID pattern, then the plain extension), then includes.</summary>
public sealed class FakeContext(string name)
{
    private ReadOnlyMemory<byte>[]? _rendered;

    public string Name { get; } = name;
    public List<FakeExtension> Extensions { get; } = [];
    public List<string> Includes { get; } = [];

    internal void Sort() => Extensions.Sort((a, b) =>
    {
        var byNumber = FakeExtensionPattern.Compare(a.Number, b.Number);
        if (byNumber != 0) return byNumber;
        var byKind = VariantRank(a).CompareTo(VariantRank(b));
        return byKind != 0 ? byKind : FakeExtensionPattern.Compare(a.CallerId ?? "", b.CallerId ?? "");
    });

    private static int VariantRank(FakeExtension e) => e.CallerId is null ? 2 : e.CallerId.StartsWith('_') ? 1 : 0;

    /// <summary>The <c>ListDialplan</c> event bodies after the ActionID line, one slice per extension of one array
    /// rendered once (a string and an array per extension cost the fake more than the answer itself).</summary>
    internal ReadOnlyMemory<byte>[] RenderedExtensions => _rendered ??= Render();

    private ReadOnlyMemory<byte>[] Render()
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 12);
        var ends = new int[Extensions.Count];
        for (var i = 0; i < Extensions.Count; i++)
        {
            var e = Extensions[i];
            foreach (var p in e.Priorities)
            {
                Append(buffer, "Event: ListDialplan\r\n\u0001Context: ");
                Append(buffer, Name);
                Append(buffer, "\r\nExtension: ");
                Append(buffer, e.Number);
                if (p.Priority == FakePriority.Hint)
                {
                    Append(buffer, "\r\nPriority: hint\r\nApplication: ");
                    Append(buffer, p.Application);
                }
                else
                {
                    Append(buffer, "\r\nPriority: ");
                    Append(buffer, p.Priority.ToString(CultureInfo.InvariantCulture));
                    Append(buffer, "\r\nApplication: ");
                    Append(buffer, p.Application);
                    Append(buffer, "\r\nAppData: ");
                    Append(buffer, p.AppData);
                }
                Append(buffer, "\r\nRegistrar: pbx_config\r\n\r\n");
            }
            ends[i] = buffer.WrittenCount;
        }
        var all = buffer.WrittenMemory.ToArray();
        var slices = new ReadOnlyMemory<byte>[Extensions.Count];
        for (var i = 0; i < slices.Length; i++)
        {
            var start = i == 0 ? 0 : ends[i - 1];
            slices[i] = all.AsMemory(start, ends[i] - start);
        }
        return slices;
    }

    private static void Append(ArrayBufferWriter<byte> buffer, string text)
    {
        var span = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        buffer.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}

/// <summary>What the fake has installed: an immutable snapshot, replaced whole by a reload.</summary>
public sealed class FakeDialplan(IReadOnlyDictionary<string, FakeContext> contexts)
{
    public static readonly FakeDialplan Empty = new(new Dictionary<string, FakeContext>());

    public IReadOnlyDictionary<string, FakeContext> Contexts { get; } = contexts;

    public FakeDialplan Without(IEnumerable<string> dropped)
    {
        var drop = dropped.ToHashSet(StringComparer.Ordinal);
        return new(Contexts.Where(c => !drop.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal));
    }
}
