namespace Did.Dialplan;

/// <summary>The rule an EXTERNAL action broke. Stable codes: the API puts them in its 400 problem.</summary>
public enum ExternalActionRule
{
    /// <summary>Empty or whitespace only.</summary>
    Empty,
    /// <summary>More than 255 characters.</summary>
    TooLong,
    /// <summary>A control character (newline, CR, tab, NUL, ...) or a non-ASCII character.</summary>
    ControlCharacter,
    /// <summary>Not exactly one call of the form Application(arguments).</summary>
    Syntax,
    /// <summary>The application is not on the allow-list.</summary>
    ApplicationNotAllowed,
    /// <summary>An argument holds a character outside [A-Za-z0-9@+._/:-].</summary>
    ForbiddenCharacter,
    /// <summary>Too many or too few arguments for the application.</summary>
    ArgumentCount,
    /// <summary>An argument does not have the shape the application needs (mailbox, sound, context, ...).</summary>
    InvalidArgument,
    /// <summary>A context or mailbox of another tenant (or of no tenant at all).</summary>
    CrossTenantReference,
}

/// <summary>An accepted EXTERNAL action, normalized: the application in its canonical spelling and the arguments.
/// <see cref="Text"/> is what goes into the dialplan.</summary>
public sealed record ExternalActionCall(string Application, IReadOnlyList<string> Arguments)
{
    public string Text { get; } = Application + "(" + string.Join(',', Arguments) + ")";
}

/// <summary>Either <see cref="Action"/> (accepted) or <see cref="Rule"/> + <see cref="Message"/> (refused).</summary>
public sealed record ExternalActionResult
{
    private ExternalActionResult(ExternalActionCall? action, ExternalActionRule? rule, string? message)
    {
        Action = action;
        Rule = rule;
        Message = message;
    }

    public ExternalActionCall? Action { get; }
    public ExternalActionRule? Rule { get; }
    /// <summary>Names the rule and the offending part, e.g. "rule ForbiddenCharacter: '$' at position 5 ...".</summary>
    public string? Message { get; }
    public bool IsValid => Action is not null;

    /// <summary>The rule code as the API spells it (SCREAMING_SNAKE_CASE like every enum on the wire).</summary>
    public string? RuleCode => Rule is { } r ? System.Text.Json.JsonNamingPolicy.SnakeCaseUpper.ConvertName(r.ToString()) : null;

    internal static ExternalActionResult Ok(ExternalActionCall call) => new(call, null, null);

    internal static ExternalActionResult Fail(ExternalActionRule rule, string detail) =>
        new(null, rule, "rule " + System.Text.Json.JsonNamingPolicy.SnakeCaseUpper.ConvertName(rule.ToString()) + ": " + detail);
}
