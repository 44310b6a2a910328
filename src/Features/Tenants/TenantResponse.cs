namespace Did.Features.Tenants;

public sealed record TenantResponse(Guid Id, string Name, string Slug, DateTime CreatedAt, DateTime UpdatedAt);
