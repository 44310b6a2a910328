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
        return Render(snapshot, settings, extensions, queues, WriteOnce);
    }

    /// <summary>Writes both files (header first, then body) to the given writers; they are not flushed or closed. A writer
    /// cannot go back to the header, so each body is generated twice: once to hash it, once to write it.</summary>
    public static RenderResult Render(DialplanSnapshot snapshot, DialplanSettings settings, TextWriter extensions, TextWriter queues)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        ArgumentNullException.ThrowIfNull(queues);
        return Render(snapshot, settings, extensions, queues, WriteTwice);
    }

    public static RenderedDialplan RenderToStrings(DialplanSnapshot snapshot, DialplanSettings? settings = null)
    {
        var extensions = new StringWriter { NewLine = "\n" };
        var queues = new StringWriter { NewLine = "\n" };
        var result = Render(snapshot, settings ?? new DialplanSettings(), extensions, queues);
        return new RenderedDialplan(extensions.ToString(), queues.ToString(), result);
    }

    /// <summary>Writes one file, its header (name, counts, hash) then its body, to its target; returns the body's hash.</summary>
    private delegate string FileWriter<in TTarget>(TTarget target, string fileName, string counts, Action<TextBuffer> writeBody);

    private static RenderResult Render<TTarget>(DialplanSnapshot snapshot, DialplanSettings settings, TTarget extensions, TTarget queues,
        FileWriter<TTarget> write)
    {
        var model = DialplanModel.Build(snapshot, settings);
        // Everything in a header but the hash comes from the model, so it is known before the body is written.
        var contexts = ExtensionsFile.Contexts(model);
        var sections = QueuesFile.Sections(model);
        var extensionsHash = write(extensions, ExtensionsFileName,
            $"tenants={model.Tenants.Length} users={model.UserCount} ivrs={model.IvrCount} queues={model.QueueCount} " +
            $"numbers={model.Numbers.Length} shards={model.Shards.Length} contexts={contexts.Count}",
            o => ExtensionsFile.Write(model, o));
        var queuesHash = write(queues, QueuesFileName, $"queues={sections.Count}", o => QueuesFile.Write(model, o));

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

    private static string WriteOnce(Stream stream, string fileName, string counts, Action<TextBuffer> writeBody)
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

    private static string WriteTwice(TextWriter writer, string fileName, string counts, Action<TextBuffer> writeBody)
    {
        string hash;
        using (var hashing = TextBuffer.ForHash())
        {
            writeBody(hashing);
            hash = hashing.Sha256Hex();
        }
        FileHeader.Write(writer, fileName, hash, counts);
        using (var body = TextBuffer.ForWriter(writer))
        {
            writeBody(body);
            body.Complete();
        }
        return hash;
    }
}
