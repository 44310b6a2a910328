using Did.Infrastructure.Validation;
using Npgsql;

namespace Did.Infrastructure.Errors;

/// <summary>A unique key a write may collide with, and the sentence that names the value the client sent. The database
/// decides (two creates at once cannot both pass a check made first); this only words its refusal.</summary>
/// <param name="Constraint">The unique index, as a migration names it.</param>
/// <param name="Field">The request field holding the value, for <c>errors</c>.</param>
public sealed record Duplicate(string Constraint, string Field, string Message)
{
    /// <summary>The tenant-unique name of a queue, IVR or schedule.</summary>
    public static Duplicate Name(string constraint, string what, string? name) =>
        new(constraint, "name", $"{what} named '{EchoedValue.Of(name)}' already exists in the tenant.");

    /// <summary>The 409 for <paramref name="e"/> when it collides on one of <paramref name="keys"/>, else null (the
    /// exception then reaches the handler that maps every constraint, <see cref="ConstraintMessages"/>).</summary>
    public static ProblemException? Of(PostgresException e, params Duplicate[] keys) =>
        e.SqlState == PostgresErrorCodes.UniqueViolation && keys.FirstOrDefault(k => k.Constraint == e.ConstraintName) is { } key
            ? Problem.Conflict(key.Message, new Dictionary<string, object?>
            {
                ["errors"] = new Dictionary<string, string[]> { [key.Field] = [key.Message] },
            })
            : null;
}

public static class DuplicateWrites
{
    /// <summary>Runs the write; a collision on one of <paramref name="keys"/> is a 409 naming the field and value.</summary>
    public static async Task<T> NamingDuplicates<T>(this Task<T> write, params Duplicate[] keys)
    {
        try
        {
            return await write;
        }
        catch (PostgresException e) when (Duplicate.Of(e, keys) is { } conflict)
        {
            throw conflict;
        }
    }
}
