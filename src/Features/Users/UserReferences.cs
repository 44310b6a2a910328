using Npgsql;

namespace Did.Features.Users;

/// <summary>Refuses to delete a user that something still depends on. Routing (numbers, IVR options, queues)
/// adds its checks here as those features arrive.</summary>
internal static class UserReferences
{
    public static Task EnsureNoneAsync(NpgsqlConnection conn, NpgsqlTransaction tx, UserResponse user, CancellationToken ct) =>
        Task.CompletedTask;
}
