using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Did.Tests.Support;

/// <summary>The test server has no network, so its requests carry no remote address. This test-host middleware, ahead of
/// the whole pipeline, gives a request the address named in its <see cref="Header"/> (the header is removed), as the
/// socket would: tests send sign-ins "from" different addresses. It exists only in the test host.</summary>
public sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((http, nextMiddleware) =>
        {
            if (http.Request.Headers.Remove(Header, out var value))
                http.Connection.RemoteIpAddress = IPAddress.Parse(value.ToString());
            return nextMiddleware(http);
        });
        next(app);
    };

    /// <summary>Adds the header to every request of a client.</summary>
    public sealed class Handler(IPAddress address) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            request.Headers.TryAddWithoutValidation(Header, address.ToString());
            return base.SendAsync(request, ct);
        }
    }
}
