namespace Did.Features.Tenants;

internal static class TenantSql
{
    public const string Columns = "id, name, slug, created_at, updated_at";
}
