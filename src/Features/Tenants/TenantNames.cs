using Did.Infrastructure.Errors;
using Did.Infrastructure.Validation;

namespace Did.Features.Tenants;

internal static class TenantNames
{
    /// <summary>The name a create or a rename collides on (ux_tenants_name: case, composition and joiners aside, migration
    /// M0045), named in its 409.</summary>
    public static Duplicate Duplicate(string? name) =>
        new("ux_tenants_name", "name", $"A tenant named '{EchoedValue.Of(name)}' already exists.");

    /// <summary>The slug a create collides on (ux_tenants_slug), named in its 409.</summary>
    public static Duplicate DuplicateSlug(string? slug) =>
        new("ux_tenants_slug", "slug", $"A tenant with slug '{EchoedValue.Of(slug)}' already exists.");
}
