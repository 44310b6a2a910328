using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Npgsql;

namespace Did.Infrastructure.Bootstrap;

/// <summary>Creates the first platform admin from DID_ADMIN_EMAIL / DID_ADMIN_PASSWORD when none exists,
/// so a new installation can be signed into. Never logs the password. A password the API would refuse (shorter than
/// 12 characters, longer than 72 bytes, or a common one) stops the start with one line saying which rule it breaks.</summary>
public static class FirstAdmin
{
    /// <summary>The transaction-level advisory lock under which the platform's set of platform admins is decided: taken
    /// here (replicas starting together) and by whoever demotes or deletes one (<c>UserRules</c>).</summary>
    public const long PlatformAdminsLock = 4242001;

    public static async Task EnsureAsync(IServiceProvider services, CancellationToken ct = default)
    {
        var config = services.GetRequiredService<IConfiguration>();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FirstAdmin));
        var email = config["DID_ADMIN_EMAIL"] is { } given ? EmailAddress.Canonical(given) : null;
        var password = config["DID_ADMIN_PASSWORD"];
        if (string.IsNullOrEmpty(email) || string.IsNullOrEmpty(password)) return;
        if (PasswordPolicy.Violation(password) is { } violation)
            throw new InvalidOperationException($"DID_ADMIN_PASSWORD {violation}.");

        var db = services.GetRequiredService<NpgsqlDataSource>();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Serialize concurrent replicas starting together.
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = PlatformAdminsLock }, tx, cancellationToken: ct));
        var exists = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'PLATFORM_ADMIN')", transaction: tx, cancellationToken: ct));
        if (exists) return;

        var id = Guid.CreateVersion7();
        var hash = await services.GetRequiredService<PasswordHasher>().HashAsync(password, ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO users (id, email, display_name, password_hash, role, tenant_id, extension, security_stamp)
            VALUES (@id, @email, 'Platform admin', @hash, 'PLATFORM_ADMIN', NULL, NULL, @stamp)
            """, new { id, email, hash, stamp = Guid.NewGuid() }, tx, cancellationToken: ct));
        using var scope = services.CreateScope();
        await AuditLog.WriteAsync(conn, tx, scope.ServiceProvider.GetRequiredService<RequestContext>(),
            AuditAction.Create, AuditEntity.User, id, null, null,
            new { id, email, display_name = "Platform admin", role = "PLATFORM_ADMIN", source = "DID_ADMIN_EMAIL" }, ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Created the first platform admin {Email}", email);
    }
}
