using System.Reflection;
using System.Text.Json.Serialization;
using Did.Features.Queues;
using Did.Features.Dids;
using Did.Tests.Support;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>System.Text.Json skips the name of a [JsonIgnore] member silently even with unknown properties refused, so a
/// body naming it was a 200 that dropped the value. A member filled from the route or query is internal instead.</summary>
public sealed class IgnoredBodyMemberTests : ApiFixture
{
    [Test]
    public void No_type_a_request_body_is_read_into_has_a_public_member_that_json_ignores()
    {
        var bodies = App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .SelectMany(e => e.Metadata.GetOrderedMetadata<IAcceptsMetadata>())
            .Select(a => a.RequestType)
            .OfType<Type>()
            .ToHashSet();
        Assert.That(bodies, Has.Member(typeof(UpdateQueueRequest)).And.Member(typeof(ImportDidsRequest)), "the endpoints name their body types");

        var offenders =
            from type in Reachable(bodies)
            from member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance)
            where member is PropertyInfo or FieldInfo
            let ignore = member.GetCustomAttribute<JsonIgnoreAttribute>()
            where ignore is { Condition: JsonIgnoreCondition.Always }
            select $"{type.FullName}.{member.Name}";
        Assert.That(offenders, Is.Empty, "make the member internal, so that a body naming it is a 400 for an unknown property");
    }

    /// <summary>The body types and every type of the service their public members hold, through lists and dictionaries.</summary>
    private static HashSet<Type> Reachable(IEnumerable<Type> roots)
    {
        var service = typeof(Program).Assembly;
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>(roots);
        while (pending.TryPop(out var type))
        {
            if (type.IsArray) { pending.Push(type.GetElementType()!); continue; }
            if (Nullable.GetUnderlyingType(type) is { } underlying) { pending.Push(underlying); continue; }
            foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : []) pending.Push(argument);
            if (type.Assembly != service || type.IsEnum || !seen.Add(type)) continue;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)) pending.Push(property.PropertyType);
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance)) pending.Push(field.FieldType);
        }
        return seen;
    }
}
