using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Did.Infrastructure.OpenApi;

/// <summary>Copies the FluentValidation rules of a request body into its JSON schema (pattern, lengths, ranges), so a
/// generated SDK and the docs show the same limits the server enforces, from one source.</summary>
public sealed class ValidationSchemaTransformer(IServiceProvider services) : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        if (schema.Properties is not { Count: > 0 } properties) return Task.CompletedTask;
        if (services.GetService(typeof(IValidator<>).MakeGenericType(type)) is not IValidator validator) return Task.CompletedTask;

        var descriptor = validator.CreateDescriptor();
        foreach (var member in descriptor.GetMembersWithValidators())
        {
            if (string.IsNullOrEmpty(member.Key) || member.Key.Contains('.')) continue; // computed or nested rules
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Key);
            if (!properties.TryGetValue(name, out var property) || property is not OpenApiSchema target) continue;
            // A pattern or length on a list is a RuleForEach: it holds for each item, not for the list.
            var list = target.Type?.HasFlag(JsonSchemaType.Array) == true;
            if (list && target.Items is not OpenApiSchema) continue;
            foreach (var (rule, _) in member)
                if (!list) Apply(target, rule);
                else if (rule is IRegularExpressionValidator or ILengthValidator) Apply((OpenApiSchema)target.Items!, rule);
        }
        return Task.CompletedTask;
    }

    private static void Apply(OpenApiSchema s, IPropertyValidator rule)
    {
        switch (rule)
        {
            case IRegularExpressionValidator regex:
                s.Pattern = regex.Expression;
                break;
            case ILengthValidator length:
                if (length.Max > 0) s.MaxLength = length.Max;
                if (length.Min > 0) s.MinLength = length.Min;
                break;
            case IBetweenValidator between:
                s.Minimum = Number(between.From);
                s.Maximum = Number(between.To);
                break;
            case IComparisonValidator { Comparison: Comparison.GreaterThanOrEqual, ValueToCompare: { } min }:
                s.Minimum = Number(min);
                break;
            case IComparisonValidator { Comparison: Comparison.LessThanOrEqual, ValueToCompare: { } max }:
                s.Maximum = Number(max);
                break;
            case INotEmptyValidator when s.Type?.HasFlag(JsonSchemaType.String) == true:
                s.MinLength ??= 1;
                break;
        }
    }

    private static string? Number(object? value) =>
        value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : null;
}
