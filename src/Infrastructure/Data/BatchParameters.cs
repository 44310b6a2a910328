using Npgsql;
using NpgsqlTypes;

namespace Did.Infrastructure.Data;

/// <summary>Named parameters for the statements of an <see cref="NpgsqlBatch"/>, typed, so that a null is sent as a NULL
/// of the column's type.</summary>
public static class BatchParameters
{
    public static NpgsqlParameter Uuid(string name, Guid? value) =>
        new(name, NpgsqlDbType.Uuid) { Value = value is { } v ? v : DBNull.Value };

    public static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = value is null ? DBNull.Value : value };
}
