namespace Did.Dialplan;

/// <summary>What the linter checks. Several of these Asterisk accepts silently on reload (see docs/asterisk.md,
/// "A reload reports success for a broken file"), which is why they are checked before the file reaches the switch.</summary>
public enum LintRule
{
    /// <summary>A Goto to an extension or priority that does not exist in its (existing) context.</summary>
    DanglingGoto,
    /// <summary>A Goto or include names a context the file does not define.</summary>
    UndefinedContext,
    /// <summary>The same extension and priority twice in a context: Asterisk keeps the first, drops the other.</summary>
    DuplicatePriority,
    /// <summary>The same [context] twice: Asterisk merges them, which hides mistakes.</summary>
    DuplicateContext,
    /// <summary>An extension without priority 1 is never entered.</summary>
    MissingPriorityOne,
    /// <summary>An extension name or pattern outside the shapes the renderer generates.</summary>
    InvalidExtension,
    /// <summary>An application that is not on the allow-list.</summary>
    ApplicationNotAllowed,
    /// <summary>A '$' (variable or expression) outside the forms the renderer writes (<see cref="RouteForms"/>), or the
    /// caller-ID variable read before it is set.</summary>
    UnsafeVariable,
    /// <summary>Parentheses of an application call that do not pair up, e.g. a call broken over two lines.</summary>
    UnbalancedParentheses,
    /// <summary>'[' without ']': Asterisk drops the rest of the file.</summary>
    UnclosedContextHeader,
    /// <summary>An entry before the first [context].</summary>
    EntryOutsideContext,
    /// <summary>A line Asterisk ignores: no '=', unknown directive, text after ']'.</summary>
    UnrecognizedLine,
    /// <summary>A priority Asterisk cannot use ('n' first in a context, unknown label, 0...): the line is skipped.</summary>
    InvalidPriority,
    /// <summary>'same =>' with no 'exten =>' before it in the context.</summary>
    SameWithoutExtension,
}

/// <summary>One problem in a dialplan file. <see cref="LineText"/> is the line as written.</summary>
public sealed record LintFinding(LintRule Rule, int LineNumber, string LineText, string Message);

/// <summary>What the linter accepts besides the defaults.</summary>
public sealed record DialplanLintOptions
{
    /// <summary>Every application the renderer writes. Extend it when <see cref="ExternalActionPolicy"/> is widened.</summary>
    public static readonly IReadOnlyList<string> DefaultApplications =
        ["Goto", "Dial", "VoiceMail", "Hangup", "Answer", "Background", "WaitExten", "Queue", "Playback", "Busy", "Congestion",
         "Set", "GotoIf", "GotoIfTime", "Gosub", "Return"];

    public IReadOnlyCollection<string> AllowedApplications { get; init; } = DefaultApplications;

    /// <summary>Contexts defined outside the linted file that it may Goto or include.</summary>
    public IReadOnlyCollection<string> ExternalContexts { get; init; } = [];

    /// <summary>The defaults plus whatever the render settings let EXTERNAL actions use.</summary>
    public static DialplanLintOptions For(DialplanSettings settings) =>
        new() { AllowedApplications = DefaultApplications.Concat(settings.ExternalActions.Applications).Distinct(StringComparer.OrdinalIgnoreCase).ToArray() };
}
