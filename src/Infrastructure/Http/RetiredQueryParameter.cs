namespace Did.Infrastructure.Http;

/// <summary>Endpoint metadata: a query parameter the operation used to take, with what to do instead. The refusal of
/// the parameter (<see cref="QueryParameterGuard"/>) carries the hint, so an old script learns where its call went.</summary>
public sealed record RetiredQueryParameter(string Name, string Hint);

public static class RetiredQueryParameterExtensions
{
    public static TBuilder WithRetiredQueryParameter<TBuilder>(this TBuilder builder, string name, string hint)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RetiredQueryParameter(name, hint));
}
