namespace Did.Dialplan;

/// <summary>Checks a dialplan file before it is written to the switch, because a reload reports success even when
/// Asterisk dropped half of it. Streams the file through <see cref="DialplanScanner"/> (the parser's rules on spans)
/// and keeps only what the cross-reference checks need (extension names, priority sets, Goto targets), so a
/// million-line file lints in bounded memory. Findings are sorted by line; an empty list means the file is fine.</summary>
public static class DialplanLinter
{
    public static IReadOnlyList<LintFinding> Lint(string text, DialplanLintOptions? options = null) => Lint(new StringReader(text), options);

    public static IReadOnlyList<LintFinding> Lint(TextReader reader, DialplanLintOptions? options = null) => Lint(reader, options, null);

    /// <summary>Also hands <paramref name="digests"/> one <see cref="ContextDigest"/> per <c>[context]</c> header, in file
    /// order (a context written twice gets two, as <see cref="DialplanParser.ReadContexts"/> yields it twice): what
    /// verify compares the switch with, from the same single read of the file.</summary>
    public static IReadOnlyList<LintFinding> Lint(TextReader reader, DialplanLintOptions? options, ICollection<ContextDigest>? digests)
    {
        var pass = new DialplanLintPass(options ?? new DialplanLintOptions(), digests);
        DialplanScanner.Scan(reader, pass);
        return pass.Finish();
    }

    /// <summary>The findings and digests of <see cref="Lint(TextReader, DialplanLintOptions?, ICollection{ContextDigest}?)"/>,
    /// scanning only the sections (<see cref="ConfigSections"/>) that <paramref name="seen"/> does not hold from the last
    /// file linted this way; the checks across contexts look again at every Goto whose destination can have changed. When
    /// anything is found, or the file has a block comment (which could hide a header), the file is linted again whole, so
    /// the findings are always exactly those of one whole pass. <paramref name="seen"/> then holds this file's sections.
    /// One call at a time per <paramref name="seen"/>.</summary>
    public static IReadOnlyList<LintFinding> LintBySection(Func<Stream> open, DialplanLintOptions options, ICollection<ContextDigest> digests,
        LintedSections seen)
    {
        var found = new List<ContextDigest>();
        if (TryBySection(open(), options, found, seen))
        {
            foreach (var d in found) digests.Add(d);
            return [];
        }
        using var reader = new StreamReader(open(), new System.Text.UTF8Encoding(false), false, 1 << 16);
        return Lint(reader, options, digests);
    }

    private static bool TryBySection(Stream file, DialplanLintOptions options, List<ContextDigest> digests, LintedSections seen)
    {
        var lists = new DialplanLintPass.LintLists(options);
        var contexts = new Dictionary<string, DialplanLintPass.ContextInfo>(StringComparer.Ordinal);
        var sections = new Dictionary<SectionKey, LintedSection>();
        var remembered = seen.LintedWith(options);
        var inFileOrder = new List<LintedSection>();
        var clean = true;
        var scanned = 0;
        ConfigSections.Read(file, (in ConfigSection s, ReadOnlySpan<byte> bytes) =>
        {
            if (!clean) return;
            if (bytes.IndexOf(";--"u8) >= 0 || bytes.Contains((byte)'\r'))
            {
                // A block comment: what is a header depends on the lines before it. A '\r': the scanner breaks lines there
                // too, so the file's line numbers are not the sections' (the renderer writes neither).
                clean = false;
                return;
            }
            var key = SectionKey.Of(bytes);
            var section = sections.GetValueOrDefault(key) ?? remembered.GetValueOrDefault(key);
            if (section is null)
            {
                scanned++;
                section = Scan(bytes, lists);
            }
            if (section is null)
            {
                clean = false;
                return;
            }
            sections[key] = section;
            inFileOrder.Add(section);
            foreach (var (name, info) in section.Contexts)
                if (!contexts.TryAdd(name, info)) clean = false; // defined twice
            var shift = s.StartLine - 1;
            foreach (var d in section.Digests) digests.Add(d with { LineNumber = d.LineNumber + shift });
        });
        if (!clean) return false;
        var findings = new List<LintFinding>();
        var gotos = GotosToCheck(sections, remembered);
        DialplanLintPass.CrossCheck(contexts, gotos, inFileOrder.SelectMany(s => s.Includes),
            new HashSet<string>(options.ExternalContexts, StringComparer.Ordinal), findings);
        if (findings.Count > 0) return false;
        seen.Replace(sections, options, scanned, gotos.Count);
        return true;
    }

    /// <summary>The Gotos whose destination can have changed since the last clean file (<paramref name="remembered"/>): every
    /// Goto of a section that file did not have, and a Goto of any other section into a context of a section that is new
    /// or gone. Any other Goto is of a section that file had, into a context that a section it also had defines (the
    /// same bytes, so the same extensions and priorities), or that no section defined then or now (an external one): it
    /// resolves as it did then, without a finding. A context now defined twice never gets here (the file is linted
    /// whole).</summary>
    private static List<DialplanLintPass.GotoRef> GotosToCheck(Dictionary<SectionKey, LintedSection> sections,
        IReadOnlyDictionary<SectionKey, LintedSection> remembered)
    {
        var changedContexts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, section) in sections)
            if (!remembered.ContainsKey(key)) changedContexts.UnionWith(section.Contexts.Keys);
        foreach (var (key, section) in remembered)
            if (!sections.ContainsKey(key)) changedContexts.UnionWith(section.Contexts.Keys);
        var gotos = new List<DialplanLintPass.GotoRef>();
        foreach (var (key, section) in sections)
        {
            if (!remembered.ContainsKey(key)) gotos.AddRange(section.Gotos);
            else if (changedContexts.Count > 0)
                foreach (var g in section.Gotos)
                    if (changedContexts.Contains(g.Context)) gotos.Add(g);
        }
        return gotos;
    }

    /// <summary>One section scanned alone: what it gives the checks across contexts, or null when it has a finding of its own.
    /// Lines end at '\n' only: a section with a '\r' never gets here.</summary>
    private static LintedSection? Scan(ReadOnlySpan<byte> bytes, DialplanLintPass.LintLists lists)
    {
        var digests = new List<ContextDigest>();
        var pass = new DialplanLintPass(lists, digests, section: true);
        var scanner = new DialplanScanner(pass);
        var chars = System.Buffers.ArrayPool<char>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxCharCount(bytes.Length));
        try
        {
            ReadOnlySpan<char> rest = chars.AsSpan(0, System.Text.Encoding.UTF8.GetChars(bytes, chars));
            while (!rest.IsEmpty)
            {
                var nl = rest.IndexOf('\n');
                if (!scanner.ScanLine(nl < 0 ? rest : rest[..nl])) break;
                rest = nl < 0 ? [] : rest[(nl + 1)..];
            }
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(chars);
        }
        return pass.TakeSection(digests);
    }

    /// <summary>Splits application data at commas outside (), {} and []: "+${FILTER(0-9,${EXTEN})}" is one argument.
    /// Fills up to <paramref name="args"/>.Length arguments and returns how many there are in all.</summary>
    internal static int SplitArguments(ReadOnlySpan<char> data, Span<Range> args)
    {
        var count = 0;
        var depth = 0;
        var start = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var c = data[i];
            if (c is '(' or '{' or '[') depth++;
            else if (c is ')' or '}' or ']') depth--;
            else if (c == ',' && depth == 0)
            {
                if (count < args.Length) args[count] = start..i;
                count++;
                start = i + 1;
            }
        }
        if (count < args.Length) args[count] = start..data.Length;
        return count + 1;
    }
}
