using System.Text.Json;
using FluentValidation;

namespace Did.Infrastructure.Validation;

public static class ValidationSetup
{
    /// <summary>Field names in errors are the JSON names (snake_case), so a client can map them to its own fields.</summary>
    public static IServiceCollection AddDidValidation(this IServiceCollection services)
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);
        ValidatorOptions.Global.LanguageManager.Enabled = false; // English messages regardless of the server's culture
        services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: true);
        return services;
    }
}
