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

    public static NpgsqlParameter Integer(string name, int? value) =>
        new(name, NpgsqlDbType.Integer) { Value = value is { } v ? v : DBNull.Value };

    /// <summary>A timestamptz: <paramref name="value"/> is UTC, as Npgsql reads a timestamptz.</summary>
    public static NpgsqlParameter Timestamp(string name, DateTime value) => new(name, NpgsqlDbType.TimestampTz) { Value = value };

    /// <summary>Arrays for <c>unnest</c>: one element per row, null elements allowed.</summary>
    public static NpgsqlParameter Uuids(string name, Guid?[] values) => new(name, NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = values };

    public static NpgsqlParameter Texts(string name, string?[] values) => new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values };

    public static NpgsqlParameter Booleans(string name, bool[] values) => new(name, NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = values };
}
