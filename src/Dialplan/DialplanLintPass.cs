namespace Did.Dialplan;

/// <summary>One run of <see cref="DialplanLinter"/>: receives the file from <see cref="DialplanScanner"/> and checks each
/// entry as it comes (the checks that need the whole file, Gotos and includes, wait for <see cref="Finish"/>). Makes a
/// string only for what it keeps (context and extension names, Goto targets) or reports.</summary>
internal sealed class DialplanLintPass : IDialplanSink
{
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _allowed;
    private readonly HashSet<string> _external;
    private readonly ICollection<ContextDigest>? _digests;
    private readonly ContextDigestBuilder _digest = new();
    private readonly List<LintFinding> _findings = [];
    private readonly List<DialplanSyntaxError> _errors = [];
    private readonly Dictionary<string, ContextInfo> _contexts = new(StringComparer.Ordinal);
    private readonly List<GotoRef> _gotos = [];
    private readonly List<DialplanInclude> _includes = [];
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal); // Goto targets repeat: one string each
    private ContextInfo? _info;
    private string _context = "";
    private int _contextLine;

    public DialplanLintPass(DialplanLintOptions options, ICollection<ContextDigest>? digests)
    {
        _allowed = new HashSet<string>(options.AllowedApplications, StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        _external = new HashSet<string>(options.ExternalContexts, StringComparer.Ordinal);
        _digests = digests;
    }

    public void Context(ReadOnlySpan<char> name, int lineNumber, ReadOnlySpan<char> lineText)
    {
        EndDigest();
        _context = name.ToString();
        _contextLine = lineNumber;
        if (_contexts.TryGetValue(_context, out var info))
            _findings.Add(new(LintRule.DuplicateContext, lineNumber, lineText.ToString(),
                $"[{_context}] is defined again (first at line {info.LineNumber}); Asterisk merges the two"));
        else
            _contexts[_context] = info = new ContextInfo(lineNumber);
        _info = info;
    }

    public void Include(ReadOnlySpan<char> context, int lineNumber, ReadOnlySpan<char> lineText) =>
        _includes.Add(new DialplanInclude(context.ToString(), lineNumber, lineText.ToString()));

    public void Error(DialplanSyntaxError error) => _errors.Add(error);

    public void Entry(in ScannedEntry e)
    {
        _digest.Add(e.Extension, e.Priority, e.Application, e.AppData);
        var ext = _info!.Get(e.Extension, e.LineNumber, e.Priority == 1 ? null : e.LineText);
        if (!ExtensionPattern.IsValid(e.Extension))
            Report(LintRule.InvalidExtension, e, $"extension {Grammar.Quote(e.Extension.ToString())} is not a number, s/t/i or a valid '_' pattern");
        if (!ext.Add(e.Priority, e.HasLabel ? e.Label.ToString() : null))
            Report(LintRule.DuplicatePriority, e, $"{e.Extension} priority {e.Priority} already exists in [{_context}]; Asterisk keeps the first and drops this one");
        if (!_allowed.Contains(e.Application))
            Report(LintRule.ApplicationNotAllowed, e, $"application {Grammar.Quote(e.Application.ToString())} is not on the allow-list");
        CheckCall(e);
    }

    private void Report(LintRule rule, in ScannedEntry e, string message) => _findings.Add(new(rule, e.LineNumber, e.LineText.ToString(), message));

    // A '$' is only allowed as the Goto extension the renderer writes into from-trunk-external.
    private void CheckCall(in ScannedEntry e)
    {
        var isGoto = e.Application.Equals("Goto", StringComparison.OrdinalIgnoreCase);
        Span<Range> args = stackalloc Range[3];
        var count = isGoto ? DialplanLinter.SplitArguments(e.AppData, args) : 0;
        var data = e.AppData;
        var unsafeVariable = e.Application.Contains('$');
        if (!unsafeVariable && data.Contains('$'))
            unsafeVariable = !(count == 3 && data[args[1]].SequenceEqual(ExtensionsFile.FilteredNumber)
                && !data[args[0]].Contains('$') && !data[args[2]].Contains('$'));
        if (unsafeVariable)
        {
            Report(LintRule.UnsafeVariable, e, "'$' (a variable or expression) is only allowed as Goto(context," + ExtensionsFile.FilteredNumber + ",1)");
            return;
        }
        if (!isGoto) return;
        switch (count)
        {
            case 1: AddGoto(_context, e.Extension, data[args[0]], e); break;
            case 2: AddGoto(_context, data[args[0]], data[args[1]], e); break;
            case 3: AddGoto(data[args[0]], data[args[1]], data[args[2]], e); break;
            default: Report(LintRule.DanglingGoto, e, $"Goto takes 1 to 3 arguments, has {count}"); break;
        }
    }

    private void AddGoto(ReadOnlySpan<char> context, ReadOnlySpan<char> extension, ReadOnlySpan<char> priority, in ScannedEntry e) =>
        _gotos.Add(new GotoRef(Pooled(context), Pooled(extension), Pooled(priority), e.LineNumber, e.LineText.ToString()));

    private string Pooled(ReadOnlySpan<char> s)
    {
        var lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(s, out var pooled)) return pooled;
        var created = s.ToString();
        _pool[created] = created;
        return created;
    }

    private void EndDigest()
    {
        if (_info is not null) _digests?.Add(_digest.ToDigest(_context, _contextLine));
        _digest.Reset();
    }

    /// <summary>The checks that need the whole file; then every finding, sorted by line.</summary>
    public IReadOnlyList<LintFinding> Finish()
    {
        EndDigest();
        foreach (var error in _errors) _findings.Add(new(error.Rule, error.LineNumber, error.LineText, error.Message));
        foreach (var (name, info) in _contexts)
            foreach (var (ext, e) in info.Extensions)
                if (!e.Has(1) && !e.OnlyHint)
                    _findings.Add(new(LintRule.MissingPriorityOne, e.FirstLine, e.FirstText!, $"{ext} in [{name}] has no priority 1, so a call never enters it"));
        foreach (var include in _includes)
            if (!_contexts.ContainsKey(include.Context) && !_external.Contains(include.Context))
                _findings.Add(new(LintRule.UndefinedContext, include.LineNumber, include.LineText, $"included context [{include.Context}] is not defined"));
        foreach (var g in _gotos) CheckGoto(g);

        _findings.Sort((a, b) => a.LineNumber != b.LineNumber ? a.LineNumber.CompareTo(b.LineNumber) : a.Rule.CompareTo(b.Rule));
        return _findings;
    }

    private void CheckGoto(GotoRef g)
    {
        if (!_contexts.TryGetValue(g.Context, out var info))
        {
            if (!_external.Contains(g.Context))
                _findings.Add(new(LintRule.UndefinedContext, g.LineNumber, g.LineText, $"Goto to context [{g.Context}], which is not defined"));
            return;
        }
        if (g.Extension == ExtensionsFile.FilteredNumber) return; // any number of the shard's shape; the shard has its own fallback
        var target = info.Resolve(g.Extension);
        if (target is null)
        {
            _findings.Add(new(LintRule.DanglingGoto, g.LineNumber, g.LineText, $"Goto to {g.Extension} in [{g.Context}]: no extension or pattern there matches it"));
            return;
        }
        var ok = int.TryParse(g.Priority, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p)
            ? target.Has(p)
            : target.HasLabel(g.Priority);
        if (!ok)
            _findings.Add(new(LintRule.DanglingGoto, g.LineNumber, g.LineText, $"Goto to {g.Extension} priority {g.Priority} in [{g.Context}]: that priority does not exist"));
    }

    private sealed record GotoRef(string Context, string Extension, string Priority, int LineNumber, string LineText);

    private sealed class ContextInfo(int lineNumber)
    {
        public int LineNumber { get; } = lineNumber;
        public Dictionary<string, ExtensionInfo> Extensions { get; } = new(StringComparer.Ordinal);
        private List<(string Pattern, ExtensionInfo Info)>? _patterns;

        /// <summary><paramref name="lineText"/> is kept only when it may be reported (see <see cref="ExtensionInfo.FirstText"/>).</summary>
        public ExtensionInfo Get(ReadOnlySpan<char> extension, int lineNumber, ReadOnlySpan<char> lineText)
        {
            var lookup = Extensions.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(extension, out var info)) return info;
            var name = extension.ToString();
            Extensions[name] = info = new ExtensionInfo(lineNumber, lineText.IsEmpty ? null : lineText.ToString());
            if (ExtensionPattern.IsPattern(name)) (_patterns ??= []).Add((name, info));
            return info;
        }

        /// <summary>The exact extension, else the first pattern that matches (enough to know the Goto lands).</summary>
        public ExtensionInfo? Resolve(string extension)
        {
            if (Extensions.TryGetValue(extension, out var info)) return info;
            if (_patterns is null) return null;
            foreach (var (pattern, patternInfo) in _patterns)
                if (ExtensionPattern.Matches(pattern, extension)) return patternInfo;
            return null;
        }
    }

    // Priorities 1..64 in a bit mask (the generated file uses 1..3); larger ones in a set, labels in a list.
    private sealed class ExtensionInfo(int firstLine, string? firstText)
    {
        private ulong _mask;
        private HashSet<int>? _more;
        private List<string>? _labels;
        public int FirstLine { get; } = firstLine;

        /// <summary>The first line's text, kept only when that line is not priority 1: an extension whose first line is
        /// priority 1 can never be reported as missing it.</summary>
        public string? FirstText { get; } = firstText;
        public bool OnlyHint { get; private set; } = true;

        public bool Add(int priority, string? label)
        {
            if (label is not null) (_labels ??= []).Add(label);
            if (priority != -1) OnlyHint = false;
            if (priority is >= 1 and <= 64)
            {
                var bit = 1UL << (priority - 1);
                if ((_mask & bit) != 0) return false;
                _mask |= bit;
                return true;
            }
            return (_more ??= []).Add(priority);
        }

        public bool Has(int priority) => priority is >= 1 and <= 64 ? (_mask & (1UL << (priority - 1))) != 0 : _more?.Contains(priority) == true;
        public bool HasLabel(string label) => _labels?.Contains(label) == true;
    }
}
