namespace Did.Dialplan;

/// <summary>Renders extensions_custom.conf and queues_custom.conf from a <see cref="DialplanSnapshot"/>.
/// Pure: data in, text out, deterministic (ordinal sorting everywhere, no clock), so the same database gives the
/// same bytes whatever order the rows came in. Checks every identifier and reference first and throws
/// <see cref="DialplanException"/> before writing anything when something cannot be rendered safely.</summary>
public static class DialplanRenderer
{
    public const string ExtensionsFileName = "extensions_custom.conf";
    public const string QueuesFileName = "queues_custom.conf";

    /// <summary>Writes both files (header first, then body) as UTF-8 to the given streams from their current position, in
    /// one pass: the header's hash is written last, over a placeholder, so the streams must be seekable. They are left at
    /// their end, not flushed or closed.</summary>
    public static RenderResult Render(DialplanSnapshot snapshot, DialplanSettings settings, Stream extensions, Stream queues)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        ArgumentNullException.ThrowIfNull(queues);
        if (!extensions.CanSeek || !queues.CanSeek)
            throw new ArgumentException("The streams must be seekable: the header's hash is written after the body.");

        var model = DialplanModel.Build(snapshot, settings);
        // Everything in a header but the hash comes from the model, so it is known before the body is written.
        var contexts = ExtensionsFile.Contexts(model);
        var sections = QueuesFile.Sections(model);
        var extensionsHash = WriteFile(extensions, ExtensionsFileName,
            $"tenants={model.Tenants.Length} users={model.UserCount} ivrs={model.IvrCount} queues={model.QueueCount} " +
            $"numbers={model.Numbers.Length} shards={model.Shards.Length} contexts={contexts.Count}",
            o => ExtensionsFile.Write(model, o));
        var queuesHash = WriteFile(queues, QueuesFileName, $"queues={sections.Count}", o => QueuesFile.Write(model, o));

        return new RenderResult
        {
            Tenants = model.Tenants.Length,
            Users = model.UserCount,
            Ivrs = model.IvrCount,
            Queues = model.QueueCount,
            NumbersRouted = model.Numbers.Length,
            Contexts = contexts.Count,
            Shards = model.Shards.Length,
            ExtensionsSha256 = extensionsHash,
            QueuesSha256 = queuesHash,
            ContextNames = contexts,
            QueueNames = sections,
            Warnings = model.Warnings,
        };
    }

    /// <summary>Writes one file, its header (name, counts, a placeholder for the hash) then its body, and the body's hash
    /// over the placeholder; returns that hash.</summary>
    private static string WriteFile(Stream stream, string fileName, string counts, Action<TextBuffer> writeBody)
    {
        var hashAt = FileHeader.Write(stream, fileName, counts);
        string hash;
        using (var body = TextBuffer.ForStream(stream))
        {
            writeBody(body);
            hash = body.Sha256Hex();
        }
        FileHeader.WriteHash(stream, hashAt, hash);
        return hash;
    }
}
