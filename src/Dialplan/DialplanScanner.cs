using System.Globalization;

namespace Did.Dialplan;

/// <summary>One priority as <see cref="DialplanScanner"/> reads it: the same fields as <see cref="DialplanEntry"/>,
/// as spans into the current line (valid only during the call that receives it).</summary>
internal readonly ref struct ScannedEntry(
    ReadOnlySpan<char> extension, int priority, ReadOnlySpan<char> label, bool hasLabel,
    ReadOnlySpan<char> application, ReadOnlySpan<char> appData, int lineNumber, ReadOnlySpan<char> lineText,
    ReadOnlySpan<char> callerId = default, bool hasCallerId = false)
{
    public ReadOnlySpan<char> Extension { get; } = extension;
    /// <summary>The caller-ID match of <c>exten =&gt; ext/cid,...</c> (what follows the '/'); empty without one. AMI's
    /// ShowDialPlan does not report it, so <see cref="Extension"/> is the name without it.</summary>
    public ReadOnlySpan<char> CallerId { get; } = callerId;
    public bool HasCallerId { get; } = hasCallerId;
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

/// <summary>The one reader of extensions.conf text (its rules are listed on <see cref="DialplanParser"/>, which is built
/// on it). Lines are spans and fields are slices of them, so a sink that keeps only what it needs (the linter, the
/// verify digests) reads a million-line file with a few allocations per context; <see cref="DialplanParser"/> turns
/// what it reports into records. Strings are made only for errors and for lines with a comment.</summary>
internal sealed class DialplanScanner(IDialplanSink sink)
{
    private readonly ExtensionBuffer _extension = new();
    private readonly List<(string Extension, string Label, int Priority)> _labels = []; // this context's labelled entries
    private bool _inContext;
    private bool _inBlockComment;
    private int _lastPriority = -2;
    private int _lineNumber;

    public static void Scan(TextReader reader, IDialplanSink sink)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var scanner = new DialplanScanner(sink);
        var lines = new SpanLineReader(reader);
        while (lines.TryReadLine(out var raw) && scanner.ScanLine(raw)) { }
    }

    /// <summary>Reads the next line of the file. False when Asterisk stops reading the file here (an unclosed '[').</summary>
    public bool ScanLine(ReadOnlySpan<char> raw)
    {
        var lineNumber = ++_lineNumber;
        var line = (_inBlockComment || raw.Contains(';') ? StripComment(raw, ref _inBlockComment) : raw).Trim();
        if (line.Length == 0) return true;

        if (line[0] == '[')
        {
            var close = line.IndexOf(']');
            if (close < 0)
            {
                sink.Error(new(LintRule.UnclosedContextHeader, lineNumber, raw.ToString(),
                    "'[' without ']': Asterisk stops reading the file here and drops every context after this line"));
                return false;
            }
            var rest = line[(close + 1)..].Trim();
            if (rest.Length > 0 && !(rest[0] == '(' && rest[^1] == ')'))
                sink.Error(new(LintRule.UnrecognizedLine, lineNumber, raw.ToString(), $"unexpected text after ']': {Grammar.Quote(rest.ToString())}"));
            sink.Context(line[1..close], lineNumber, raw);
            _inContext = true;
            _labels.Clear();
            _extension.Clear();
            _lastPriority = -2;
            return true;
        }

        var eq = line.IndexOf('=');
        if (eq < 0)
        {
            sink.Error(new(LintRule.UnrecognizedLine, lineNumber, raw.ToString(),
                "no '=' in this line; Asterisk ignores it (an application call broken over two lines looks like this)"));
            return true;
        }
        var name = line[..eq].Trim();
        var value = (eq + 1 < line.Length && line[eq + 1] == '>' ? line[(eq + 2)..] : line[(eq + 1)..]).Trim();
        if (!_inContext)
        {
            sink.Error(new(LintRule.EntryOutsideContext, lineNumber, raw.ToString(), "this line comes before any [context]"));
            return true;
        }

        if (name.StartsWith("same", StringComparison.OrdinalIgnoreCase))
        {
            if (!_extension.IsSet)
            {
                sink.Error(new(LintRule.SameWithoutExtension, lineNumber, raw.ToString(), "'same' needs an 'exten' line before it in the context"));
                return true;
            }
            ScanEntry(value, lineNumber, raw);
        }
        else if (name.Equals("exten", StringComparison.OrdinalIgnoreCase))
        {
            var comma = IndexOfTopLevelComma(value);
            _extension.Set(comma < 0 ? value : value[..comma]);
            ScanEntry(comma < 0 ? [] : value[(comma + 1)..], lineNumber, raw);
        }
        else if (name.Equals("include", StringComparison.OrdinalIgnoreCase))
        {
            sink.Include(value, lineNumber, raw);
        }
        else if (!(name.Equals("ignorepat", StringComparison.OrdinalIgnoreCase) || name.EndsWith("switch", StringComparison.OrdinalIgnoreCase)))
        {
            sink.Error(new(LintRule.UnrecognizedLine, lineNumber, raw.ToString(), $"unknown directive {Grammar.Quote(name.ToString())}; Asterisk ignores it"));
        }
        return true;
    }

    // "prio,App(data)" (the part after the extension) -> an entry for the sink, or an error when Asterisk would skip the line.
    private void ScanEntry(ReadOnlySpan<char> rest, int lineNumber, ReadOnlySpan<char> raw)
    {
        var extension = _extension.Extension;
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
            if (_lastPriority <= -2)
            {
                sink.Error(new(LintRule.InvalidPriority, lineNumber, raw.ToString(), $"priority '{pri}' on the first entry of a context; Asterisk skips this line"));
                return;
            }
            priority = pri is "n" or "next" ? _lastPriority + 1 : _lastPriority;
        }
        else if (int.TryParse(pri, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)) priority = number;
        else
        {
            priority = 0;
            for (var i = _labels.Count - 1; i >= 0; i--)
                if (extension.SequenceEqual(_labels[i].Extension) && pri.SequenceEqual(_labels[i].Label)) { priority = _labels[i].Priority; break; }
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
        _lastPriority = priority;

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
        if (hasLabel) _labels.Add((extension.ToString(), label.ToString(), priority));
        sink.Entry(new ScannedEntry(extension, priority, label, hasLabel, application.TrimStart(), appData, lineNumber, raw,
            _extension.CallerId, _extension.HasCallerId));
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

    // Rare (the renderer writes no comments after its header), so it may build a string.
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

    /// <summary>The extension of the last 'exten' line, and its caller-ID match (after '/'): 'same' lines refer to both
    /// after its line's buffer is reused.</summary>
    private sealed class ExtensionBuffer
    {
        private char[] _chars = new char[32];
        private int _length = -1;
        private int _slash = -1;

        public bool IsSet => _length >= 0;
        public ReadOnlySpan<char> Extension => _chars.AsSpan(0, _slash >= 0 ? _slash : Math.Max(0, _length));
        public ReadOnlySpan<char> CallerId => _slash >= 0 ? _chars.AsSpan(_slash + 1, _length - _slash - 1) : [];
        public bool HasCallerId => _slash >= 0;

        public void Set(ReadOnlySpan<char> value)
        {
            if (value.Length > _chars.Length) _chars = new char[value.Length * 2];
            value.CopyTo(_chars);
            _length = value.Length;
            _slash = value.IndexOf('/');
        }

        public void Clear()
        {
            _length = -1;
            _slash = -1;
        }
    }
}
