using System.Net;
using System.Net.Sockets;
using System.Text;
using Did.Infrastructure.Ami;

namespace Did.Tests.Ami;

/// <summary>A one-connection AMI server whose replies a test writes by hand (raw text, with the client's ActionID),
/// for orderings the fake cannot produce on demand (events interleaved as in transcript 15).</summary>
internal sealed class ScriptedAmiServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _run;

    /// <param name="reply">Action received -> raw bytes to send (ActionID already known), or null for no answer.</param>
    public ScriptedAmiServer(Func<AmiMessage, string?> reply)
    {
        _listener.Start();
        _run = Task.Run(async () =>
        {
            using var tcp = await _listener.AcceptTcpClientAsync();
            var stream = tcp.GetStream();
            await stream.WriteAsync("Asterisk Call Manager/13.0.0\r\n"u8.ToArray());
            var reader = new AmiFrameReader(stream);
            try
            {
                while (await reader.ReadMessageAsync() is { } action)
                    if (reply(action) is { } text) await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
            }
            catch (IOException)
            {
                // client gone
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static string LoginOk(AmiMessage action) =>
        $"Response: Success\r\nActionID: {action.ActionId}\r\nMessage: Authentication accepted\r\n\r\n";

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or TimeoutException)
        {
            // listener stopped before a client came, or client still attached
        }
    }
}
