using System.Text;
using Did.Dialplan;

namespace Did.Tests.Dialplan;

/// <summary>Both rendered files as strings, rendered through the same stream path an apply uses.</summary>
public sealed record RenderedDialplan(string Extensions, string Queues, RenderResult Result)
{
    public static RenderedDialplan Of(DialplanSnapshot snapshot, DialplanSettings? settings = null)
    {
        using var extensions = new MemoryStream();
        using var queues = new MemoryStream();
        var result = DialplanRenderer.Render(snapshot, settings ?? new DialplanSettings(), extensions, queues);
        return new RenderedDialplan(Encoding.UTF8.GetString(extensions.ToArray()), Encoding.UTF8.GetString(queues.ToArray()), result);
    }
}
