namespace Did.Infrastructure.Ami;

public enum AmiDialplanChangeKind
{
    /// <summary><c>DialplanExtensionRemove</c> of one priority of one exact extension (caller-ID variant included).</summary>
    Remove,
    /// <summary><c>DialplanExtensionAdd</c>, with <c>Replace: yes</c> when <see cref="AmiDialplanChange.Replace"/>.</summary>
    Add,
}

/// <summary>One change to the running dialplan, made without a reload. <see cref="Extension"/> is the extension as
/// written in the file, caller-ID match included (<c>+15551230003/_+44.</c>). A removal always names its priority:
/// removing a plain extension by name while a caller-ID variant of it exists, and then the variant, crashes Asterisk
/// (shared/asterisk README, "A crash to design around"), so this type cannot express a removal by name.</summary>
public sealed record AmiDialplanChange(AmiDialplanChangeKind Kind, string Context, string Extension, int Priority,
    string Application = "", string AppData = "", bool Replace = false)
{
    public AmiAction ToAction()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Priority, 1);
        var priority = Priority.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Kind == AmiDialplanChangeKind.Remove)
            return new AmiAction("DialplanExtensionRemove").With("Context", Context).With("Extension", Extension).With("Priority", priority);
        var add = new AmiAction("DialplanExtensionAdd").With("Context", Context).With("Extension", Extension).With("Priority", priority)
            .With("Application", Application).With("ApplicationData", AppData);
        return Replace ? add.With("Replace", "yes") : add;
    }

    public override string ToString() => Kind == AmiDialplanChangeKind.Remove
        ? $"remove {Extension},{Priority} from {Context}"
        : $"add {Extension},{Priority},{Application}({AppData}) to {Context}{(Replace ? " (replace)" : "")}";
}
