namespace Did.Infrastructure.OpenApi;

/// <summary>Marks a query parameter bound as a string and read by <see cref="Validation.Timestamps"/>: the document
/// declares it <c>format: date-time</c>, so a generated client sends an RFC 3339 date-time, not any string. It stays a
/// string in C# so that its validator, not the binder, refuses a bad value, naming the parameter, the rule and the value.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class DateTimeParameterAttribute : Attribute;
