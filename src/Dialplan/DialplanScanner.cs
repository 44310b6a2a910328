using System.Globalization;

namespace Did.Dialplan;

/// <summary>One priority as <see cref="DialplanScanner"/> reads it: the same fields as <see cref="DialplanEntry"/>,
/// as spans into the current line (valid only during the call that receives it).</summary>
internal readonly ref struct ScannedEntry(
    ReadOnlySpan<char> extension, int priority, ReadOnlySpan<char> label, bool hasLabel,
    ReadOnlySpan<char> application, ReadOnlySpan<char> appData, int lineNumber, ReadOnlySpan<char> lineText)
{
    public ReadOnlySpan<char> Extension { get; } = extension;
    public int Priority { get; } = priority;
    public ReadOnlySpan<char> Label { get; } = label;
    public bool HasLabel { get; } = hasLabel;
    public ReadOnlySpan<char> Application { get; } = application;
    public ReadOnlySpan<char> AppData { get; } = appData;
    public int LineNumber { get; } = lineNumber;
    public ReadOnlySpan<char> LineText { get; } = lineText;
}

/// <summary>What <see cref="DialplanScanner"/> found, in file order. Spans are valid only during the call.</summary>
internal interface IDialplanSink
{
    void Context(ReadOnlySpan<char> name, int lineNumber, ReadOnlySpan<char> lineText);
    void Entry(in ScannedEntry entry);
    void Include(ReadOnlySpan<char> context, int lineNumber, ReadOnlySpan<char> lineText);
    void Error(DialplanSyntaxError error);
}

/// <summary>The rules of <see cref="DialplanParser"/> (see there) without a string per field: lines are spans over one
/// buffer and fields are slices of them, so a sink that keeps only what it needs (the linter, the verify digests)
/// reads a million-line file with a few allocations per context. Strings are made only for errors and for lines
/// with a comment. Its output is tested to be the parser's, field for field.</summary>
internal static class DialplanScanner
{
    public static void Scan(TextReader reader, IDialplanSink sink)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lines = new SpanLineReader(reader);
        var inContext = false;
        var extension = new ExtensionBuffer();
        var labels = new List<(string Extension, string Label, int Priority)>(); // this context's labelled entries
        var lastPriority = -2;
        var lineNumber = 0;
        var inBlockComment = false;

        while (lines.TryReadLine(out var raw))
        {
            lineNumber++;
            var line = (inBlockComment || raw.Contains(';') ? StripComment(raw, ref inBlockComment) : raw).Trim();
            if (line.Length == 0) continue;

            if (line[0] == '[')
            {
                var close = line.IndexOf(']');
                if (close < 0)
                {
                    sink.Error(new(LintRule.UnclosedContextHeader, lineNumber, raw.ToString(),
                        "'[' without ']': Asterisk stops reading the file here and drops every context after this line"));
                    break;
                }
                var rest = line[(close + 1)..].Trim();
                if (rest.Length > 0 && !(rest[0] == '(' && rest[^1] == ')'))
                    sink.Error(new(LintRule.UnrecognizedLine, lineNumber, raw.ToString(), $"unexpected text after ']': {Grammar.Quote(rest.ToString())}"));
                sink.Context(line[1..close], lineNumber, raw);
                inContext = true;
                labels.Clear();
                extension.Clear();
                lastPriority = -2;
                continue;
            }

            var eq = line.IndexOf('=');
            if (eq < 0)
            {
                sink.Error(new(LintRule.UnrecognizedLine, lineNumber, raw.ToString(),
                    "no '=' in this line; Asterisk ignores it (an application call broken over two lines looks like this)"));
                continue;
            }
            var name = line[..eq].Trim();
            var value = (eq + 1 < line.Length && line[eq + 1] == '>' ? line[(eq + 2)..] : line[(eq + 1)..]).Trim();
            if (!inContext)
            {
                sink.Error(new(LintRule.EntryOutsideContext, lineNumber, raw.ToString(), "this line comes before any [context]"));
                continue;
            }

            if (name.StartsWith("same", StringComparison.OrdinalIgnoreCase))
            {
                if (!extension.IsSet)
                {
                    sink.Error(new(LintRule.SameWithoutExtension, lineNumber, raw.ToString(), "'same' needs an 'exten' line before it in the context"));
                    continue;
                }
                ScanEntry(extension.Span, value, lineNumber, raw, labels, ref lastPriority, sink);
            }
            else if (name.Equals("exten", StringComparison.OrdinalIgnoreCase))
            {
                var comma = IndexOfTopLevelComma(value);
                var ext = comma < 0 ? value : value[..comma];
                var cid = ext.IndexOf('/');
                if (cid >= 0) ext = ext[..cid];
                extension.Set(ext);
                ScanEntry(extension.Span, comma < 0 ? [] : value[(comma + 1)..], lineNumber, raw, labels, ref lastPriority, sink);
            }
            else if (name.Equals("include", StringComparison.OrdinalIgnoreCase))
            {
                sink.Include(value, lineNumber, raw);
            }
            else if (!(name.Equals("ignorepat", StringComparison.OrdinalIgnoreCase) || name.EndsWith("switch", StringComparison.OrdinalIgnoreCase)))
            {
                sink.Error(new(LintRule.UnrecognizedLine, lineNumber, raw.ToString(), $"unknown directive {Grammar.Quote(name.ToString())}; Asterisk ignores it"));
            }
        }
    }

    // "prio,App(data)" (the part after the extension) -> an entry for the sink, or an error when Asterisk would skip the line.
    private static void ScanEntry(ReadOnlySpan<char> extension, ReadOnlySpan<char> rest, int lineNumber, ReadOnlySpan<char> raw,
        List<(string Extension, string Label, int Priority)> labels, ref int lastPriority, IDialplanSink sink)
    {
        var comma = rest.IndexOf(',');
        var pri = (comma < 0 ? rest : rest[..comma]).Trim();
        var application = comma < 0 ? [] : rest[(comma + 1)..];
        ReadOnlySpan<char> label = default;
        var hasLabel = false;
        var open = pri.IndexOf('(');
        if (open >= 0)
        {
            var close = pri[open..].IndexOf(')');
            if (close < 0)
            {
                sink.Error(new(LintRule.InvalidPriority, lineNumber, raw.ToString(), "label without its closing ')'; Asterisk skips this line"));
                return;
            }
            label = pri[(open + 1)..(open + close)];
            hasLabel = true;
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
        if (pri.SequenceEqual("hint")) priority = -1;
        else if (pri is "n" or "next" or "s" or "same")
        {
            if (lastPriority <= -2)
            {
                sink.Error(new(LintRule.InvalidPriority, lineNumber, raw.ToString(), $"priority '{pri}' on the first entry of a context; Asterisk skips this line"));
                return;
            }
            priority = pri is "n" or "next" ? lastPriority + 1 : lastPriority;
        }
        else if (int.TryParse(pri, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)) priority = number;
        else
        {
            priority = 0;
            for (var i = labels.Count - 1; i >= 0; i--)
                if (extension.SequenceEqual(labels[i].Extension) && pri.SequenceEqual(labels[i].Label)) { priority = labels[i].Priority; break; }
            if (priority < 1)
            {
                sink.Error(new(LintRule.InvalidPriority, lineNumber, raw.ToString(), $"priority {Grammar.Quote(pri.ToString())} is neither a number nor a known label; Asterisk skips this line"));
                return;
            }
        }
        if (priority == 0 || priority < -1)
        {
            sink.Error(new(LintRule.InvalidPriority, lineNumber, raw.ToString(), $"priority {priority} is not valid; Asterisk skips this line"));
            return;
        }
        priority += offset;
        lastPriority = priority;

        ReadOnlySpan<char> appData = [];
        var paren = application.IndexOf('(');
        if (paren >= 0)
        {
            var head = application[..paren];
            if (head.IndexOf("${", StringComparison.Ordinal) >= 0 || head.IndexOf("$[", StringComparison.Ordinal) >= 0)
            {
                // Asterisk: an expression before '(' means "no application name here"; it keeps the whole text.
            }
            else
            {
                var data = application[(paren + 1)..];
                var last = data.LastIndexOf(')');
                if (last < 0)
                    sink.Error(new(LintRule.UnbalancedParentheses, lineNumber, raw.ToString(),
                        "no closing ')': Asterisk installs the call with everything after '(' as its data"));
                appData = last < 0 ? data : data[..last];
                application = head;
                if (!Balanced(appData))
                    sink.Error(new(LintRule.UnbalancedParentheses, lineNumber, raw.ToString(), "the parentheses inside the application data do not pair up"));
            }
        }
        if (hasLabel) labels.Add((extension.ToString(), label.ToString(), priority));
        sink.Entry(new ScannedEntry(extension, priority, label, hasLabel, application.TrimStart(), appData, lineNumber, raw));
    }

    private static bool Balanced(ReadOnlySpan<char> s)
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
    private static int IndexOfTopLevelComma(ReadOnlySpan<char> s)
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

    // Rare (the renderer writes no comments after its header): the parser's own rule, on a string.
    private static ReadOnlySpan<char> StripComment(ReadOnlySpan<char> line, ref bool inBlock)
    {
        var sb = new System.Text.StringBuilder(line.Length);
        for (var i = 0; i < line.Length; i++)
        {
            if (inBlock)
            {
                if (line[i..].StartsWith("--;")) { inBlock = false; i += 2; }
                continue;
            }
            if (line[i] == ';')
            {
                if (i > 0 && line[i - 1] == '\\') { sb[^1] = ';'; continue; }
                if (line[i..].StartsWith(";--")) { inBlock = true; i += 2; continue; }
                break;
            }
            sb.Append(line[i]);
        }
        return sb.ToString();
    }

    /// <summary>The extension of the last 'exten' line: 'same' lines refer to it after its line's buffer is reused.</summary>
    private sealed class ExtensionBuffer
    {
        private char[] _chars = new char[32];
        private int _length = -1;

        public bool IsSet => _length >= 0;
        public ReadOnlySpan<char> Span => _chars.AsSpan(0, Math.Max(0, _length));

        public void Set(ReadOnlySpan<char> value)
        {
            if (value.Length > _chars.Length) _chars = new char[value.Length * 2];
            value.CopyTo(_chars);
            _length = value.Length;
        }

        public void Clear() => _length = -1;
    }
}
