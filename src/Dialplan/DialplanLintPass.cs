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

    // A section's pass is remembered and never reports (any finding sends the file to a whole pass): it keeps no line text.
    private readonly bool _section;

    public DialplanLintPass(DialplanLintOptions options, ICollection<ContextDigest>? digests)
        : this(new LintLists(options), digests, section: false)
    {
    }

    /// <summary>A pass over one section of a file whose other sections are linted apart (<see cref="DialplanLinter.LintBySection"/>).</summary>
    public DialplanLintPass(LintLists lists, ICollection<ContextDigest>? digests, bool section)
    {
        _section = section;
        _allowed = lists.Allowed;
        _external = lists.External;
        _digests = digests;
    }

    /// <summary>The options' lists as the checks look them up; read-only once made, so one serves many passes.</summary>
    internal sealed class LintLists(DialplanLintOptions options)
    {
        public HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Allowed { get; } =
            new HashSet<string>(options.AllowedApplications, StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        public HashSet<string> External { get; } = new(options.ExternalContexts, StringComparer.Ordinal);
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
        // The digest keys on the extension alone, as AMI lists it: caller-ID variants are more priorities of one extension.
        _digest.Add(e.Extension, e.Priority, e.Application, e.AppData);
        var firstText = e.Priority == 1 ? null : e.LineText;
        // Asterisk keeps one priority per extension and caller-ID match: exten => 1/_+44.,1 and exten => 1,1 are both kept.
        var ext = e.HasCallerId ? _info!.Variant(e.Extension, e.CallerId, e.LineNumber, firstText) : _info!.Get(e.Extension, e.LineNumber, firstText);
        if (!ExtensionPattern.IsValid(e.Extension) || e.HasCallerId && !IsCallerIdMatch(e.CallerId))
            Report(LintRule.InvalidExtension, e, $"extension {Grammar.Quote(FullName(e))} is not a number, s/t/i or a valid '_' pattern");
        if (!ext.Add(e.Priority, e.HasLabel ? e.Label.ToString() : null))
            Report(LintRule.DuplicatePriority, e, $"{FullName(e)} priority {e.Priority} already exists in [{_context}]; Asterisk keeps the first and drops this one");
        if (!_allowed.Contains(e.Application))
            Report(LintRule.ApplicationNotAllowed, e, $"application {Grammar.Quote(e.Application.ToString())} is not on the allow-list");
        CheckCall(e, ext);
    }

    private static string FullName(in ScannedEntry e) => e.HasCallerId ? e.Extension.ToString() + "/" + e.CallerId.ToString() : e.Extension.ToString();

    // A caller-ID match: a number (with '+') or a '_' pattern of one.
    private static bool IsCallerIdMatch(ReadOnlySpan<char> cid) => cid.Length > 0 && (cid[0] == '_' ? ExtensionPattern.IsValid(cid) : Grammar.AllDigits(cid.TrimStart('+')));

    private void Report(LintRule rule, in ScannedEntry e, string message) => _findings.Add(new(rule, e.LineNumber, e.LineText.ToString(), message));

    /// <summary>'$' (a variable or an expression) only in the forms the renderer writes, each of them exactly: the filtered
    /// number of a Goto into a shard, the one Set that reads caller ID through FILTER, a schedule's Set of today's date, and
    /// GotoIf conditions on those variables (<see cref="RouteForms"/>). So caller ID reaches no application's arguments.
    /// Goto, GotoIf, GotoIfTime and Gosub destinations are kept for the dangling-Goto check.</summary>
    private void CheckCall(in ScannedEntry e, ExtensionInfo ext)
    {
        var app = e.Application;
        var data = e.AppData;
        if (app.Contains('$'))
        {
            Report(LintRule.UnsafeVariable, e, "'$' (a variable or expression) in an application name");
            return;
        }
        if (app.Equals("Goto", StringComparison.OrdinalIgnoreCase))
        {
            Span<Range> args = stackalloc Range[3];
            var count = DialplanLinter.SplitArguments(data, args);
            if (data.Contains('$') && !(count == 3 && data[args[1]].SequenceEqual(ExtensionsFile.FilteredNumber)
                                        && !data[args[0]].Contains('$') && !data[args[2]].Contains('$')))
                Report(LintRule.UnsafeVariable, e, "'$' in a Goto is only allowed as Goto(context," + ExtensionsFile.FilteredNumber + ",1)");
            else AddDestination("Goto", data, e);
        }
        else if (app.Equals("GotoIf", StringComparison.OrdinalIgnoreCase))
        {
            if (!data.Contains('$')) AddBranches("GotoIf", data, e);
            else if (!RouteForms.IsGotoIfData(data, out var destination, out var readsCaller))
                Report(LintRule.UnsafeVariable, e, "'$' in a GotoIf is only allowed in the conditions of routing rules and schedules (docs/routing.md)");
            else
            {
                if (readsCaller && !(ext.CallerSetAt is > 0 and var at && at < e.Priority))
                    Report(LintRule.UnsafeVariable, e, $"{RouteForms.CallerVariable} is read before this extension sets it from the filtered caller ID");
                AddDestination("GotoIf", destination, e);
            }
        }
        else if (app.Equals("Set", StringComparison.OrdinalIgnoreCase))
        {
            if (data.Contains('$') && !RouteForms.IsSetData(data))
                Report(LintRule.UnsafeVariable, e, "'$' in a Set is only allowed as Set(" + RouteForms.SetCaller + ") or a schedule's Set(" + RouteForms.SetToday("<zone>") + ")");
            else if (data.SequenceEqual(RouteForms.SetCaller) && ext.CallerSetAt == 0) ext.CallerSetAt = e.Priority;
        }
        else if (data.Contains('$'))
            Report(LintRule.UnsafeVariable, e, $"'$' (a variable or expression) is not allowed in {app} (only in Goto, GotoIf and Set, in the forms the renderer writes)");
        else if (app.Equals("GotoIfTime", StringComparison.OrdinalIgnoreCase)) AddBranches("GotoIfTime", data, e);
        else if (app.Equals("Gosub", StringComparison.OrdinalIgnoreCase))
        {
            var open = data.IndexOf('('); // Gosub(context,exten,priority(arguments))
            AddDestination("Gosub", open < 0 ? data : data[..open], e);
        }
    }

    // condition?destination[:destination]: the branches a GotoIf or GotoIfTime may take.
    private void AddBranches(string app, ReadOnlySpan<char> data, in ScannedEntry e)
    {
        var question = data.IndexOf('?');
        if (question < 0)
        {
            Report(LintRule.DanglingGoto, e, $"{app} has no '?' before its destination");
            return;
        }
        var branches = data[(question + 1)..];
        var colon = branches.IndexOf(':');
        var first = colon < 0 ? branches : branches[..colon];
        if (!first.IsEmpty) AddDestination(app, first, e);
        if (colon >= 0 && !branches[(colon + 1)..].IsEmpty) AddDestination(app, branches[(colon + 1)..], e);
    }

    // [[context,]extension,]priority-or-label, as Goto reads it.
    private void AddDestination(string app, ReadOnlySpan<char> destination, in ScannedEntry e)
    {
        Span<Range> args = stackalloc Range[3];
        var count = DialplanLinter.SplitArguments(destination, args);
        switch (count)
        {
            case 1: AddGoto(_context, e.Extension, destination[args[0]], e); break;
            case 2: AddGoto(_context, destination[args[0]], destination[args[1]], e); break;
            case 3: AddGoto(destination[args[0]], destination[args[1]], destination[args[2]], e); break;
            default: Report(LintRule.DanglingGoto, e, $"{app} takes a destination of 1 to 3 parts, has {count}"); break;
        }
    }

    private void AddGoto(ReadOnlySpan<char> context, ReadOnlySpan<char> extension, ReadOnlySpan<char> priority, in ScannedEntry e) =>
        _gotos.Add(new GotoRef(Pooled(context), Pooled(extension), Pooled(priority), e.LineNumber, _section ? "" : e.LineText.ToString()));

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
        FinishLocal();
        CrossCheck(_contexts, _gotos, _includes, _external, _findings);
        _findings.Sort((a, b) => a.LineNumber != b.LineNumber ? a.LineNumber.CompareTo(b.LineNumber) : a.Rule.CompareTo(b.Rule));
        return _findings;
    }

    /// <summary>What this pass found in a section scanned alone, for <see cref="LintedSections"/>; null when the section
    /// has a finding of its own (the checks that need the rest of the file are left to <see cref="CrossCheck"/>).</summary>
    internal LintedSection? TakeSection(IReadOnlyList<ContextDigest> digests)
    {
        FinishLocal();
        if (_findings.Count > 0) return null;
        // Kept until the next apply, and only for the checks across contexts, which never report from it (a finding sends
        // the file to a whole pass): each Goto destination once, and one extension record per set of priorities.
        var gotos = _gotos.DistinctBy(g => (g.Context, g.Extension, g.Priority)).ToList();
        foreach (var info in _contexts.Values) info.ShareAlikeExtensions();
        return new LintedSection(_contexts, gotos, _includes, digests);
    }

    // The checks of each context on its own: syntax, and extensions that are never entered.
    private void FinishLocal()
    {
        EndDigest();
        foreach (var error in _errors) _findings.Add(new(error.Rule, error.LineNumber, error.LineText, error.Message));
        foreach (var (name, info) in _contexts)
            foreach (var (ext, e) in info.Extensions.Concat(info.Variants))
                if (!e.Has(1) && !e.OnlyHint)
                    _findings.Add(new(LintRule.MissingPriorityOne, e.FirstLine, e.FirstText!, $"{ext} in [{name}] has no priority 1, so a call never enters it"));
    }

    /// <summary>The checks across contexts: every include and Goto lands in a context of the file (or an external one),
    /// and every Goto on an extension and priority there.</summary>
    internal static void CrossCheck(IReadOnlyDictionary<string, ContextInfo> contexts, IEnumerable<GotoRef> gotos, IEnumerable<DialplanInclude> includes,
        HashSet<string> external, List<LintFinding> findings)
    {
        foreach (var include in includes)
            if (!contexts.ContainsKey(include.Context) && !external.Contains(include.Context))
                findings.Add(new(LintRule.UndefinedContext, include.LineNumber, include.LineText, $"included context [{include.Context}] is not defined"));
        foreach (var g in gotos) CheckGoto(g, contexts, external, findings);
    }

    private static void CheckGoto(GotoRef g, IReadOnlyDictionary<string, ContextInfo> contexts, HashSet<string> external, List<LintFinding> findings)
    {
        if (!contexts.TryGetValue(g.Context, out var info))
        {
            if (!external.Contains(g.Context))
                findings.Add(new(LintRule.UndefinedContext, g.LineNumber, g.LineText, $"Goto to context [{g.Context}], which is not defined"));
            return;
        }
        if (g.Extension == ExtensionsFile.FilteredNumber) return; // any number of the shard's shape; the shard has its own fallback
        var targets = info.Resolve(g.Extension);
        if (targets.Count == 0)
        {
            findings.Add(new(LintRule.DanglingGoto, g.LineNumber, g.LineText, $"Goto to {g.Extension} in [{g.Context}]: no extension or pattern there matches it"));
            return;
        }
        var isNumber = int.TryParse(g.Priority, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p);
        var ok = targets.Any(t => isNumber ? t.Has(p) : t.HasLabel(g.Priority));
        if (!ok)
            findings.Add(new(LintRule.DanglingGoto, g.LineNumber, g.LineText, $"Goto to {g.Extension} priority {g.Priority} in [{g.Context}]: that priority does not exist"));
    }

    internal sealed record GotoRef(string Context, string Extension, string Priority, int LineNumber, string LineText);

    internal sealed class ContextInfo(int lineNumber)
    {
        public int LineNumber { get; } = lineNumber;
        public Dictionary<string, ExtensionInfo> Extensions { get; } = new(StringComparer.Ordinal);
        /// <summary>Caller-ID variants by "extension/match": each has priorities of its own.</summary>
        public Dictionary<string, ExtensionInfo> Variants { get; } = new(StringComparer.Ordinal);
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

        // Caller-ID variants by the extension they belong to: a Goto to the extension may land on any of them.
        private Dictionary<string, List<ExtensionInfo>>? _variantsOf;

        public ExtensionInfo Variant(ReadOnlySpan<char> extension, ReadOnlySpan<char> callerId, int lineNumber, ReadOnlySpan<char> lineText)
        {
            var name = extension.ToString();
            var key = name + "/" + callerId.ToString();
            if (!Variants.TryGetValue(key, out var info))
            {
                Variants[key] = info = new ExtensionInfo(lineNumber, lineText.IsEmpty ? null : lineText.ToString());
                _variantsOf ??= new(StringComparer.Ordinal);
                if (!_variantsOf.TryGetValue(name, out var list)) _variantsOf[name] = list = [];
                list.Add(info);
                if (ExtensionPattern.IsPattern(name) && !Extensions.ContainsKey(name)) (_patterns ??= []).Add((name, info));
            }
            return info;
        }

        /// <summary>Once the context is scanned: extensions with the same plain priorities share one record (a shard's
        /// thousand numbers of priority 1 share one). Their first line is then no longer theirs: only for a context that
        /// had no finding.</summary>
        public void ShareAlikeExtensions()
        {
            var shared = new Dictionary<ulong, ExtensionInfo>();
            foreach (var (name, info) in Extensions)
            {
                if (!info.IsPlain) continue;
                if (!shared.TryGetValue(info.Mask, out var one)) shared[info.Mask] = one = info;
                // A value replaced in place: the dictionary's keys and order stay as they are, so its enumeration goes on.
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(Extensions, name) = one;
            }
        }

        /// <summary>The exact extension and its caller-ID variants, else those of the first pattern that matches (enough to
        /// know the Goto lands); empty when nothing matches.</summary>
        public List<ExtensionInfo> Resolve(string extension)
        {
            var name = extension;
            if (!Extensions.ContainsKey(name) && _variantsOf?.ContainsKey(name) != true)
                name = _patterns?.FirstOrDefault(p => ExtensionPattern.Matches(p.Pattern, extension)).Pattern;
            var found = new List<ExtensionInfo>();
            if (name is null) return found;
            if (Extensions.TryGetValue(name, out var info)) found.Add(info);
            if (_variantsOf?.TryGetValue(name, out var variants) == true) found.AddRange(variants);
            return found;
        }
    }

    // Priorities 1..64 in a bit mask (the generated file uses 1..3); larger ones in a set, labels in a list.
    internal sealed class ExtensionInfo(int firstLine, string? firstText)
    {
        private ulong _mask;
        private HashSet<int>? _more;
        private List<string>? _labels;
        public int FirstLine { get; } = firstLine;

        /// <summary>The first line's text, kept only when that line is not priority 1: an extension whose first line is
        /// priority 1 can never be reported as missing it.</summary>
        public string? FirstText { get; } = firstText;
        public bool OnlyHint { get; private set; } = true;

        /// <summary>The priority of the Set that fills <see cref="RouteForms.CallerVariable"/> from the filtered caller ID; 0: none yet.</summary>
        public int CallerSetAt { get; set; }

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

        /// <summary>Priorities 1..64 only, no label: all that <see cref="Has"/> and <see cref="HasLabel"/> need is the mask.</summary>
        public bool IsPlain => _more is null && _labels is null && !OnlyHint;
        public ulong Mask => _mask;

        public bool Has(int priority) => priority is >= 1 and <= 64 ? (_mask & (1UL << (priority - 1))) != 0 : _more?.Contains(priority) == true;
        public bool HasLabel(string label) => _labels?.Contains(label) == true;
    }
}
