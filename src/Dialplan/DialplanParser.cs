using System.Globalization;

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
/// Lines Asterisk skips are skipped and reported to <c>errors</c>.</summary>
public static class DialplanParser
{
    public static IEnumerable<DialplanContext> ReadContexts(TextReader reader, ICollection<DialplanSyntaxError>? errors = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        errors ??= new List<DialplanSyntaxError>();
        string? contextName = null;
        int contextLine = 0;
        string contextText = "";
        var entries = new List<DialplanEntry>();
        var includes = new List<DialplanInclude>();
        string? lastExtension = null;
        var lastPriority = -2;
        var lineNumber = 0;
        var inBlockComment = false;

        string? raw;
        while ((raw = reader.ReadLine()) is not null)
        {
            lineNumber++;
            var line = StripComment(raw, ref inBlockComment).Trim();
            if (line.Length == 0) continue;

            if (line[0] == '[')
            {
                var close = line.IndexOf(']');
                if (close < 0)
                {
                    errors.Add(new(LintRule.UnclosedContextHeader, lineNumber, raw,
                        "'[' without ']': Asterisk stops reading the file here and drops every context after this line"));
                    break;
                }
                var rest = line[(close + 1)..].Trim();
                if (rest.Length > 0 && !(rest[0] == '(' && rest[^1] == ')'))
                    errors.Add(new(LintRule.UnrecognizedLine, lineNumber, raw, $"unexpected text after ']': {Grammar.Quote(rest)}"));
                if (contextName is not null) yield return new DialplanContext(contextName, contextLine, contextText, entries, includes);
                contextName = line[1..close];
                contextLine = lineNumber;
                contextText = raw;
                entries = [];
                includes = [];
                lastExtension = null;
                lastPriority = -2;
                continue;
            }

            var eq = line.IndexOf('=');
            if (eq < 0)
            {
                errors.Add(new(LintRule.UnrecognizedLine, lineNumber, raw,
                    "no '=' in this line; Asterisk ignores it (an application call broken over two lines looks like this)"));
                continue;
            }
            var name = line[..eq].Trim();
            var value = (eq + 1 < line.Length && line[eq + 1] == '>' ? line[(eq + 2)..] : line[(eq + 1)..]).Trim();
            if (contextName is null)
            {
                errors.Add(new(LintRule.EntryOutsideContext, lineNumber, raw, "this line comes before any [context]"));
                continue;
            }

            if (name.StartsWith("same", StringComparison.OrdinalIgnoreCase))
            {
                if (lastExtension is null)
                {
                    errors.Add(new(LintRule.SameWithoutExtension, lineNumber, raw, "'same' needs an 'exten' line before it in the context"));
                    continue;
                }
                if (ParseEntry(lastExtension, value, lineNumber, raw, entries, ref lastPriority, errors) is { } e) entries.Add(e);
            }
            else if (name.Equals("exten", StringComparison.OrdinalIgnoreCase))
            {
                var comma = IndexOfTopLevelComma(value);
                var extension = comma < 0 ? value : value[..comma];
                var cid = extension.IndexOf('/');
                if (cid >= 0) extension = extension[..cid];
                lastExtension = extension;
                if (ParseEntry(extension, comma < 0 ? "" : value[(comma + 1)..], lineNumber, raw, entries, ref lastPriority, errors) is { } e) entries.Add(e);
            }
            else if (name.Equals("include", StringComparison.OrdinalIgnoreCase))
            {
                includes.Add(new DialplanInclude(value, lineNumber, raw));
            }
            else if (!(name.Equals("ignorepat", StringComparison.OrdinalIgnoreCase) || name.EndsWith("switch", StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add(new(LintRule.UnrecognizedLine, lineNumber, raw, $"unknown directive {Grammar.Quote(name)}; Asterisk ignores it"));
            }
        }
        if (contextName is not null) yield return new DialplanContext(contextName, contextLine, contextText, entries, includes);
    }

    /// <summary>Convenience for tests and small files: all contexts and errors at once.</summary>
    public static (IReadOnlyList<DialplanContext> Contexts, IReadOnlyList<DialplanSyntaxError> Errors) Parse(string text)
    {
        var errors = new List<DialplanSyntaxError>();
        var contexts = ReadContexts(new StringReader(text), errors).ToList();
        return (contexts, errors);
    }

    // "prio,App(data)" (the part after the extension) -> entry, or null when Asterisk would skip the line.
    private static DialplanEntry? ParseEntry(string extension, string rest, int lineNumber, string raw, List<DialplanEntry> entries,
        ref int lastPriority, ICollection<DialplanSyntaxError> errors)
    {
        var comma = rest.IndexOf(',');
        var pri = (comma < 0 ? rest : rest[..comma]).Trim();
        var application = comma < 0 ? "" : rest[(comma + 1)..];
        string? label = null;
        var open = pri.IndexOf('(');
        if (open >= 0)
        {
            var close = pri.IndexOf(')', open);
            if (close < 0)
            {
                errors.Add(new(LintRule.InvalidPriority, lineNumber, raw, "label without its closing ')'; Asterisk skips this line"));
                return null;
            }
            label = pri[(open + 1)..close];
            pri = pri[..open];
        }
        var offset = 0;
        var plus = pri.IndexOf('+');
        if (plus >= 0)
        {
            _ = int.TryParse(pri[(plus + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out offset);
            pri = pri[..plus];
        }

        int priority;
        if (pri == "hint") priority = -1;
        else if (pri is "n" or "next" or "s" or "same")
        {
            if (lastPriority <= -2)
            {
                errors.Add(new(LintRule.InvalidPriority, lineNumber, raw, $"priority '{pri}' on the first entry of a context; Asterisk skips this line"));
                return null;
            }
            priority = pri is "n" or "next" ? lastPriority + 1 : lastPriority;
        }
        else if (int.TryParse(pri, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)) priority = number;
        else
        {
            priority = entries.FindLast(e => e.Extension == extension && e.Label == pri)?.Priority ?? 0;
            if (priority < 1)
            {
                errors.Add(new(LintRule.InvalidPriority, lineNumber, raw, $"priority {Grammar.Quote(pri)} is neither a number nor a known label; Asterisk skips this line"));
                return null;
            }
        }
        if (priority == 0 || priority < -1)
        {
            errors.Add(new(LintRule.InvalidPriority, lineNumber, raw, $"priority {priority} is not valid; Asterisk skips this line"));
            return null;
        }
        priority += offset;
        lastPriority = priority;

        var appData = "";
        var paren = application.IndexOf('(');
        if (paren >= 0)
        {
            var head = application[..paren];
            if (head.Contains("${", StringComparison.Ordinal) || head.Contains("$[", StringComparison.Ordinal))
            {
                // Asterisk: an expression before '(' means "no application name here"; it keeps the whole text.
            }
            else
            {
                var data = application[(paren + 1)..];
                var last = data.LastIndexOf(')');
                if (last < 0)
                    errors.Add(new(LintRule.UnbalancedParentheses, lineNumber, raw,
                        "no closing ')': Asterisk installs the call with everything after '(' as its data"));
                appData = last < 0 ? data : data[..last];
                application = head;
                if (!Balanced(appData))
                    errors.Add(new(LintRule.UnbalancedParentheses, lineNumber, raw, "the parentheses inside the application data do not pair up"));
            }
        }
        return new DialplanEntry(extension, priority, label, application.TrimStart(), appData, lineNumber, raw);
    }

    private static bool Balanced(string s)
    {
        var depth = 0;
        foreach (var c in s)
        {
            if (c == '(') depth++;
            else if (c == ')' && --depth < 0) return false;
        }
        return depth == 0;
    }

    // The comma that ends the extension field; commas inside a [..] pattern class do not count (pbx_strsep).
    private static int IndexOfTopLevelComma(string s)
    {
        var square = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '[') square++;
            else if (c == ']') { if (square > 0) square--; }
            else if (c == '\\') i++;
            else if (c == ',' && square == 0) return i;
        }
        return -1;
    }

    private static string StripComment(string line, ref bool inBlock)
    {
        if (!inBlock && line.IndexOf(';') < 0) return line; // the common case: nothing to do, no allocation
        var sb = new System.Text.StringBuilder(line.Length);
        for (var i = 0; i < line.Length; i++)
        {
            if (inBlock)
            {
                if (line.AsSpan(i).StartsWith("--;")) { inBlock = false; i += 2; }
                continue;
            }
            if (line[i] == ';')
            {
                if (i > 0 && line[i - 1] == '\\') { sb[^1] = ';'; continue; }
                if (line.AsSpan(i).StartsWith(";--")) { inBlock = true; i += 2; continue; }
                break;
            }
            sb.Append(line[i]);
        }
        return sb.ToString();
    }
}
