namespace Did.Dialplan;

/// <summary>Reads extensions.conf text the way Asterisk's config loader and pbx_config do, one context at a time
/// (streaming: a million-line file is never held whole). The result is meant to be compared with what AMI
/// ShowDialPlan reports, so it copies Asterisk's rules rather than tidying them:
/// <list type="bullet">
/// <item>';' starts a comment unless escaped as '\;'; ';--' ... '--;' is a block comment; lines are trimmed.</item>
/// <item><c>exten =&gt; ext,prio,App(data)</c> and <c>same =&gt; prio,App(data)</c> (the previous line's extension).</item>
/// <item>Priority 'n' is the previous line's priority + 1 inside the context, whatever extension that line had;
/// 's'/'same' repeats it; 'hint' is -1; 'n(label)' sets a label; '+k' adds k; a label name means its priority.</item>
/// <item>Application = text before the first '(', AppData = text after it up to the last ')' (everything after '('
/// when there is no ')': Asterisk installs it that way and only logs a warning).</item>
/// <item>An unclosed '[' makes Asterisk drop everything from there on; the parser reports it and stops too.</item>
/// </list>
/// Lines Asterisk skips are skipped and reported to <c>errors</c>. The rules live in <see cref="DialplanScanner"/>,
/// which the linter and the verify digests use directly; this turns what it reads into records.</summary>
public static class DialplanParser
{
    public static IEnumerable<DialplanContext> ReadContexts(TextReader reader, ICollection<DialplanSyntaxError>? errors = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var contexts = new ContextCollector(errors ?? new List<DialplanSyntaxError>());
        var scanner = new DialplanScanner(contexts);
        string? raw;
        while ((raw = reader.ReadLine()) is not null)
        {
            var more = scanner.ScanLine(raw);
            if (contexts.TakeFinished() is { } finished) yield return finished;
            if (!more) break;
        }
        if (contexts.TakeCurrent() is { } last) yield return last;
    }

    /// <summary>Convenience for tests and small files: all contexts and errors at once.</summary>
    public static (IReadOnlyList<DialplanContext> Contexts, IReadOnlyList<DialplanSyntaxError> Errors) Parse(string text)
    {
        var errors = new List<DialplanSyntaxError>();
        var contexts = ReadContexts(new StringReader(text), errors).ToList();
        return (contexts, errors);
    }

    /// <summary>Builds each context's records from the scanner's spans; a context is finished when the next one starts.</summary>
    private sealed class ContextCollector(ICollection<DialplanSyntaxError> errors) : IDialplanSink
    {
        private (string Name, int LineNumber, string LineText, List<DialplanEntry> Entries, List<DialplanInclude> Includes)? _current;
        private DialplanContext? _finished;

        public DialplanContext? TakeFinished()
        {
            var finished = _finished;
            _finished = null;
            return finished;
        }

        public DialplanContext? TakeCurrent()
        {
            var current = _current is { } c ? new DialplanContext(c.Name, c.LineNumber, c.LineText, c.Entries, c.Includes) : null;
            _current = null;
            return current;
        }

        public void Context(ReadOnlySpan<char> name, int lineNumber, ReadOnlySpan<char> lineText)
        {
            _finished = TakeCurrent();
            _current = (name.ToString(), lineNumber, lineText.ToString(), [], []);
        }

        public void Entry(in ScannedEntry e) => _current!.Value.Entries.Add(new DialplanEntry(e.Extension.ToString(), e.Priority,
            e.HasLabel ? e.Label.ToString() : null, e.Application.ToString(), e.AppData.ToString(), e.LineNumber, e.LineText.ToString(),
            e.HasCallerId ? e.CallerId.ToString() : null));

        public void Include(ReadOnlySpan<char> context, int lineNumber, ReadOnlySpan<char> lineText) =>
            _current!.Value.Includes.Add(new DialplanInclude(context.ToString(), lineNumber, lineText.ToString()));

        public void Error(DialplanSyntaxError error) => errors.Add(error);
    }
}
