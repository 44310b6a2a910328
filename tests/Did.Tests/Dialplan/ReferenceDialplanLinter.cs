using Did.Dialplan;

namespace Did.Tests.Dialplan;

/// <summary>The linter as it was before its span-based rewrite (over <see cref="DialplanParser"/>), kept as the oracle
/// the new one is compared with. Checks a dialplan file before it is written to the switch, because a reload reports success even when
/// Asterisk dropped half of it. Streams the file through <see cref="DialplanParser"/> and keeps only what the
/// cross-reference checks need (extension names, priority sets, Goto lines), so a million-line file lints in
/// bounded memory. Findings are sorted by line; an empty list means the file is fine.</summary>
public static class ReferenceDialplanLinter
{
    public static IReadOnlyList<LintFinding> Lint(string text, DialplanLintOptions? options = null) => Lint(new StringReader(text), options);

    public static IReadOnlyList<LintFinding> Lint(TextReader reader, DialplanLintOptions? options = null)
    {
        options ??= new DialplanLintOptions();
        var allowed = new HashSet<string>(options.AllowedApplications, StringComparer.OrdinalIgnoreCase);
        var findings = new List<LintFinding>();
        var errors = new List<DialplanSyntaxError>();
        var contexts = new Dictionary<string, ContextInfo>(StringComparer.Ordinal);
        var gotos = new List<GotoRef>();
        var includes = new List<DialplanInclude>();

        foreach (var context in DialplanParser.ReadContexts(reader, errors))
        {
            if (contexts.TryGetValue(context.Name, out var info))
                findings.Add(new(LintRule.DuplicateContext, context.LineNumber, context.LineText,
                    $"[{context.Name}] is defined again (first at line {info.LineNumber}); Asterisk merges the two"));
            else
                contexts[context.Name] = info = new ContextInfo(context.LineNumber);
            includes.AddRange(context.Includes);

            foreach (var e in context.Entries)
            {
                var ext = info.Get(e.Extension, e);
                if (!ExtensionPattern.IsValid(e.Extension))
                    findings.Add(new(LintRule.InvalidExtension, e.LineNumber, e.LineText, $"extension {Grammar.Quote(e.Extension)} is not a number, s/t/i or a valid '_' pattern"));
                if (!ext.Add(e.Priority, e.Label))
                    findings.Add(new(LintRule.DuplicatePriority, e.LineNumber, e.LineText,
                        $"{e.Extension} priority {e.Priority} already exists in [{context.Name}]; Asterisk keeps the first and drops this one"));
                if (!allowed.Contains(e.Application))
                    findings.Add(new(LintRule.ApplicationNotAllowed, e.LineNumber, e.LineText, $"application {Grammar.Quote(e.Application)} is not on the allow-list"));
                CheckCall(context.Name, e, findings, gotos);
            }
        }

        foreach (var error in errors) findings.Add(new(error.Rule, error.LineNumber, error.LineText, error.Message));
        var external = new HashSet<string>(options.ExternalContexts, StringComparer.Ordinal);
        foreach (var (name, info) in contexts)
            foreach (var (ext, e) in info.Extensions)
                if (!e.Has(1) && !e.OnlyHint)
                    findings.Add(new(LintRule.MissingPriorityOne, e.FirstLine, e.FirstText, $"{ext} in [{name}] has no priority 1, so a call never enters it"));
        foreach (var include in includes)
            if (!contexts.ContainsKey(include.Context) && !external.Contains(include.Context))
                findings.Add(new(LintRule.UndefinedContext, include.LineNumber, include.LineText, $"included context [{include.Context}] is not defined"));
        foreach (var g in gotos) CheckGoto(g, contexts, external, findings);

        findings.Sort((a, b) => a.LineNumber != b.LineNumber ? a.LineNumber.CompareTo(b.LineNumber) : a.Rule.CompareTo(b.Rule));
        return findings;
    }

    // A '$' is only allowed as the Goto extension the renderer writes into from-trunk-external.
    private static void CheckCall(string context, DialplanEntry e, List<LintFinding> findings, List<GotoRef> gotos)
    {
        var isGoto = e.Application.Equals("Goto", StringComparison.OrdinalIgnoreCase);
        var args = isGoto ? SplitArguments(e.AppData) : null;
        var unsafeVariable = e.Application.Contains('$');
        if (!unsafeVariable && e.AppData.Contains('$'))
            unsafeVariable = !(args is { Count: 3 } && args[1] == ExtensionsFile.FilteredNumber && !args[0].Contains('$') && !args[2].Contains('$'));
        if (unsafeVariable)
        {
            findings.Add(new(LintRule.UnsafeVariable, e.LineNumber, e.LineText,
                "'$' (a variable or expression) is only allowed as Goto(context," + ExtensionsFile.FilteredNumber + ",1)"));
            return;
        }
        if (args is null) return;
        switch (args.Count)
        {
            case 1: gotos.Add(new GotoRef(context, e.Extension, args[0], e)); break;
            case 2: gotos.Add(new GotoRef(context, args[0], args[1], e)); break;
            case 3: gotos.Add(new GotoRef(args[0], args[1], args[2], e)); break;
            default:
                findings.Add(new(LintRule.DanglingGoto, e.LineNumber, e.LineText, $"Goto takes 1 to 3 arguments, has {args.Count}"));
                break;
        }
    }

    private static void CheckGoto(GotoRef g, Dictionary<string, ContextInfo> contexts, HashSet<string> external, List<LintFinding> findings)
    {
        var e = g.Entry;
        if (!contexts.TryGetValue(g.Context, out var info))
        {
            if (!external.Contains(g.Context))
                findings.Add(new(LintRule.UndefinedContext, e.LineNumber, e.LineText, $"Goto to context [{g.Context}], which is not defined"));
            return;
        }
        if (g.Extension == ExtensionsFile.FilteredNumber) return; // any number of the shard's shape; the shard has its own fallback
        var target = info.Resolve(g.Extension);
        if (target is null)
        {
            findings.Add(new(LintRule.DanglingGoto, e.LineNumber, e.LineText, $"Goto to {g.Extension} in [{g.Context}]: no extension or pattern there matches it"));
            return;
        }
        var ok = int.TryParse(g.Priority, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p)
            ? target.Has(p)
            : target.HasLabel(g.Priority);
        if (!ok)
            findings.Add(new(LintRule.DanglingGoto, e.LineNumber, e.LineText, $"Goto to {g.Extension} priority {g.Priority} in [{g.Context}]: that priority does not exist"));
    }

    /// <summary>Splits application data at commas outside (), {} and []: "+${FILTER(0-9,${EXTEN})}" is one argument.</summary>
    internal static List<string> SplitArguments(string data)
    {
        var args = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var c = data[i];
            if (c is '(' or '{' or '[') depth++;
            else if (c is ')' or '}' or ']') depth--;
            else if (c == ',' && depth == 0) { args.Add(data[start..i]); start = i + 1; }
        }
        args.Add(data[start..]);
        return args;
    }

    private sealed record GotoRef(string Context, string Extension, string Priority, DialplanEntry Entry);

    private sealed class ContextInfo(int lineNumber)
    {
        public int LineNumber { get; } = lineNumber;
        public Dictionary<string, ExtensionInfo> Extensions { get; } = new(StringComparer.Ordinal);
        private List<(string Pattern, ExtensionInfo Info)>? _patterns;

        public ExtensionInfo Get(string extension, DialplanEntry first)
        {
            if (!Extensions.TryGetValue(extension, out var info))
            {
                Extensions[extension] = info = new ExtensionInfo(first.LineNumber, first.LineText);
                if (ExtensionPattern.IsPattern(extension)) (_patterns ??= []).Add((extension, info));
            }
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
    private sealed class ExtensionInfo(int firstLine, string firstText)
    {
        private ulong _mask;
        private HashSet<int>? _more;
        private List<string>? _labels;
        public int FirstLine { get; } = firstLine;
        public string FirstText { get; } = firstText;
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
