using Did.Infrastructure.Auth;
using Did.Infrastructure.Json;

namespace Did.Features.ApiKeys;

/// <summary>An API key as lists show it: never its secret. <c>created_by</c> is the person who created it;
/// <c>last_used_at</c> is written at most once a minute (<c>Auth:ApiKeys:LastUsedFlushSeconds</c>).</summary>
public sealed record ApiKeyResponse(
    Guid Id, string Name, string Prefix, Role Role, Guid? TenantId, Guid CreatedBy, DateTime CreatedAt, DateTime? ExpiresAt,
    DateTime? LastUsedAt);

/// <summary>The answer to a creation: the key and, this once, its secret.</summary>
public sealed record CreatedApiKeyResponse(
    Guid Id, string Name, string Prefix, Role Role, Guid? TenantId, Guid CreatedBy, DateTime CreatedAt, DateTime? ExpiresAt,
    string Secret);

/// <summary>The row as stored (role as text), and which keys a caller may see: platform roles all, a tenant admin its
/// tenant's (whoever created them), shared by list, get and revoke so they cannot drift apart.</summary>
internal sealed record ApiKeyRow(
    Guid Id, string Name, string Prefix, string Role, Guid? TenantId, Guid CreatedBy, DateTime CreatedAt, DateTime? ExpiresAt,
    DateTime? LastUsedAt)
{
    public const string Columns = "id, name, prefix, role, tenant_id, created_by, created_at, expires_at, last_used_at";

    public const string Scope = "(@scope::uuid IS NULL OR tenant_id = @scope)";

    public ApiKeyResponse ToResponse() =>
        new(Id, Name, Prefix, ApiJson.Parse<Role>(Role), TenantId, CreatedBy, CreatedAt, ExpiresAt, LastUsedAt);
}
