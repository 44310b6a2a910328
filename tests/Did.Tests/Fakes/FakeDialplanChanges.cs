namespace Did.Tests.Fakes;

/// <summary>What <c>DialplanExtensionAdd</c> and <c>DialplanExtensionRemove</c> do to the running dialplan, as the
/// recorded Asterisk does it (shared/asterisk README, "Changing extensions without a reload"; transcript 22). Each
/// change makes a new <see cref="FakeDialplan"/>: the changed context is copied, every other one is shared.</summary>
internal static class FakeDialplanChanges
{
    public const string Added = "Added requested extension";
    public const string Exists = "That extension and priority already exist at that context";
    public const string RemovedPriority = "Removed the requested priority from the extension";
    public const string RemovedExtension = "Removed the requested extension";
    public const string RemoveFailed = "Failed to remove requested extension";

    public sealed record Outcome(FakeDialplan Plan, bool Success, string Message);

    /// <summary>Adds a priority; creates the context if it does not exist. Without <paramref name="replace"/>, an
    /// existing extension and priority is an error.</summary>
    public static Outcome Add(FakeDialplan plan, string context, string extension, int priority, string application, string data, bool replace)
    {
        var copy = Copy(plan, context, out var target);
        var found = target.Extensions.FindIndex(e => e.Name == extension);
        var ext = found >= 0 ? CopyOf(target.Extensions[found]) : new FakeExtension(extension);
        var at = ext.Priorities.FindIndex(p => p.Priority == priority);
        if (at >= 0 && !replace) return new(plan, false, Exists);
        var added = new FakePriority(priority, application, data);
        if (at >= 0) ext.Priorities[at] = added;
        else
        {
            ext.Priorities.Add(added);
            ext.Priorities.Sort((a, b) => a.Priority.CompareTo(b.Priority));
        }
        if (found >= 0) target.Extensions[found] = ext;
        else
        {
            target.Extensions.Add(ext);
            target.Sort();
        }
        return new(copy, true, Added);
    }

    /// <summary>Removes one priority (<paramref name="priority"/> given) or a whole extension. A plain extension cannot
    /// lose a priority while a caller-ID variant of it exists (an error, as Asterisk answers); removed by name it goes
    /// with Success, and <paramref name="orphaned"/> says that its variants are now what crashes a real Asterisk when
    /// removed (the caller keeps that state).</summary>
    public static Outcome Remove(FakeDialplan plan, string context, string extension, int? priority, out bool orphaned)
    {
        orphaned = false;
        if (!plan.Contexts.ContainsKey(context)) return new(plan, false, RemoveFailed);
        var copy = Copy(plan, context, out var target);
        var found = target.Extensions.FindIndex(e => e.Name == extension);
        if (found < 0) return new(plan, false, RemoveFailed);
        var ext = target.Extensions[found];
        var hasVariants = ext.CallerId is null && target.Extensions.Any(e => e.Number == ext.Number && e.CallerId is not null);
        if (priority is not { } p)
        {
            target.Extensions.RemoveAt(found);
            orphaned = hasVariants;
            return new(copy, true, RemovedExtension);
        }
        if (hasVariants) return new(plan, false, RemoveFailed);
        var copied = CopyOf(ext);
        if (copied.Priorities.RemoveAll(x => x.Priority == p) == 0) return new(plan, false, RemoveFailed);
        if (copied.Priorities.Count == 0) target.Extensions.RemoveAt(found);
        else target.Extensions[found] = copied;
        return new(copy, true, RemovedPriority);
    }

    private static FakeDialplan Copy(FakeDialplan plan, string context, out FakeContext target)
    {
        target = new FakeContext(context);
        if (plan.Contexts.TryGetValue(context, out var old))
        {
            target.Extensions.AddRange(old.Extensions);
            target.Includes.AddRange(old.Includes);
        }
        var contexts = new Dictionary<string, FakeContext>(plan.Contexts, StringComparer.Ordinal) { [context] = target };
        return new FakeDialplan(contexts);
    }

    private static FakeExtension CopyOf(FakeExtension e)
    {
        var copy = new FakeExtension(e.Name);
        copy.Priorities.AddRange(e.Priorities);
        return copy;
    }
}
