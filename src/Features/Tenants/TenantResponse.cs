namespace Did.Features.Tenants;

public sealed record TenantResponse(Guid Id, string Name, string Slug, DateTime CreatedAt, DateTime UpdatedAt);

internal static class TenantSql
{
    public const string Columns = "id, name, slug, created_at, updated_at";
}
