namespace Did.Dialplan;

/// <summary>Renders extensions_custom.conf and queues_custom.conf from a <see cref="DialplanSnapshot"/>.
/// Pure: data in, text out, deterministic (ordinal sorting everywhere, no clock), so the same database gives the
/// same bytes whatever order the rows came in. Checks every identifier and reference first and throws
/// <see cref="DialplanException"/> before writing anything when something cannot be rendered safely.</summary>
public static class DialplanRenderer
{
    public const string ExtensionsFileName = "extensions_custom.conf";
    public const string QueuesFileName = "queues_custom.conf";

    /// <summary>Writes both files (header first, then body) to the given writers; they are not flushed or closed.</summary>
    public static RenderResult Render(DialplanSnapshot snapshot, DialplanSettings settings, TextWriter extensions, TextWriter queues)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        ArgumentNullException.ThrowIfNull(queues);
        var model = DialplanModel.Build(snapshot, settings);
        // Everything in a header but the hash comes from the model, so it is known before the body is written.
        var contexts = ExtensionsFile.Contexts(model);
        var sections = QueuesFile.Sections(model);

        // Pass 1 hashes the body, pass 2 writes it after the header: see TextBuffer for why not keep it in memory.
        string extensionsHash, queuesHash;
        using (var hash = TextBuffer.ForHash())
        {
            ExtensionsFile.Write(model, hash);
            extensionsHash = hash.Sha256Hex();
        }
        FileHeader.Write(extensions, ExtensionsFileName, extensionsHash,
            $"tenants={model.Tenants.Length} users={model.UserCount} ivrs={model.IvrCount} queues={model.QueueCount} " +
            $"numbers={model.Numbers.Length} shards={model.Shards.Length} contexts={contexts.Count}");
        using (var body = TextBuffer.ForWriter(extensions))
        {
            ExtensionsFile.Write(model, body);
            body.Complete();
        }

        using (var hash = TextBuffer.ForHash())
        {
            QueuesFile.Write(model, hash);
            queuesHash = hash.Sha256Hex();
        }
        FileHeader.Write(queues, QueuesFileName, queuesHash, $"queues={sections.Count}");
        using (var body = TextBuffer.ForWriter(queues))
        {
            QueuesFile.Write(model, body);
            body.Complete();
        }

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

    public static RenderedDialplan RenderToStrings(DialplanSnapshot snapshot, DialplanSettings? settings = null)
    {
        var extensions = new StringWriter { NewLine = "\n" };
        var queues = new StringWriter { NewLine = "\n" };
        var result = Render(snapshot, settings ?? new DialplanSettings(), extensions, queues);
        return new RenderedDialplan(extensions.ToString(), queues.ToString(), result);
    }
}
