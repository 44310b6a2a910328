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
