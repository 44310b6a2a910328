using System.Net;
using System.Text.Json;
using NUnit.Framework;

namespace Did.Tests.Support;

/// <summary>Assertions on problem+json answers that name the field a client got wrong.</summary>
public static class Problems
{
    /// <summary>Asserts a 400 problem whose <c>errors</c> name <paramref name="field"/>; returns that field's messages.</summary>
    public static async Task<string[]> FieldErrorsAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.That(body.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), Is.True, $"errors name '{field}': {text}");
        var messages = errors.GetProperty(field).EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.That(messages, Is.Not.Empty.And.All.Not.Empty, text);
        return messages;
    }
}
