using NUnit.Framework;
using System.Text;
using Did.Infrastructure.Ami;

namespace Did.Tests.Ami;

public sealed class AmiFrameReaderTests
{
    private const string Banner = "Asterisk Call Manager/13.0.0\r\n";

    private static AmiFrameReader Reader(string wire, int chunk = int.MaxValue, AmiFramingLimits? limits = null) =>
        new(new ChunkedStream(Encoding.UTF8.GetBytes(wire), chunk), limits);

    [Test]
    public async Task Empty_value_keeps_its_key_with_an_empty_string()
    {
        var reader = Reader("AppData: \r\nOutput:\r\n\r\n");
        var m = await reader.ReadMessageAsync();
        Assert.That(m!.Fields, Is.EqualTo(new KeyValuePair<string, string>[] { new("AppData", ""), new("Output", "") }));
    }

    [Test]
    public async Task Value_keeps_colons_after_the_first()
    {
        var m = await Reader("RequestType: Action: NoSuchAction\r\n\r\n").ReadMessageAsync();
        Assert.That(m!["RequestType"], Is.EqualTo("Action: NoSuchAction"));
    }

    [Test]
    public void Banner_that_is_not_ami_is_rejected()
    {
        Assert.ThrowsAsync<AmiProtocolException>(async () => await Reader("SSH-2.0-OpenSSH_9.6\r\n").ReadBannerAsync());
    }

    [Test]
    public void Closed_before_banner_is_a_connection_error()
    {
        Assert.ThrowsAsync<AmiConnectionException>(async () => await Reader("").ReadBannerAsync());
    }

    [Test]
    public async Task End_of_stream_between_packets_returns_null()
    {
        var reader = Reader(Banner + "Response: Success\r\n\r\n");
        await reader.ReadBannerAsync();
        Assert.That(await reader.ReadMessageAsync(), Is.Not.Null);
        Assert.That(await reader.ReadMessageAsync(), Is.Null);
    }

    [Test]
    public async Task End_of_stream_inside_a_packet_is_a_connection_error()
    {
        var reader = Reader(Banner + "Response: Success\r\nActionID: a1\r\n");
        await reader.ReadBannerAsync();
        Assert.ThrowsAsync<AmiConnectionException>(async () => await reader.ReadMessageAsync());
    }

    [Test]
    public async Task End_of_stream_inside_a_line_is_a_connection_error()
    {
        var reader = Reader(Banner + "Response: Succ");
        await reader.ReadBannerAsync();
        Assert.ThrowsAsync<AmiConnectionException>(async () => await reader.ReadMessageAsync());
    }

    [Test]
    public void Line_longer_than_the_limit_is_rejected()
    {
        var limits = new AmiFramingLimits { MaxLineBytes = 100 };
        var reader = Reader("Output: " + new string('x', 200) + "\r\n\r\n", 13, limits);
        Assert.ThrowsAsync<AmiProtocolException>(async () => await reader.ReadMessageAsync());
    }

    [Test]
    public void Endless_line_without_terminator_is_rejected_without_waiting_for_the_end()
    {
        var limits = new AmiFramingLimits { MaxLineBytes = 100 };
        var reader = Reader("Output: " + new string('x', 10_000), 64, limits);
        Assert.ThrowsAsync<AmiProtocolException>(async () => await reader.ReadMessageAsync());
    }

    [Test]
    public async Task Line_exactly_at_the_limit_is_accepted()
    {
        var limits = new AmiFramingLimits { MaxLineBytes = 100 };
        var value = new string('x', 100 - "Output: ".Length);
        var m = await Reader("Output: " + value + "\r\n\r\n", 9, limits).ReadMessageAsync();
        Assert.That(m!["Output"], Is.EqualTo(value));
    }

    [Test]
    public void Packet_with_too_many_lines_is_rejected()
    {
        var limits = new AmiFramingLimits { MaxPacketLines = 10 };
        var wire = string.Concat(Enumerable.Repeat("Output: x\r\n", 11)) + "\r\n";
        Assert.ThrowsAsync<AmiProtocolException>(async () => await Reader(wire, limits: limits).ReadMessageAsync());
    }

    [Test]
    public void Control_character_in_a_line_is_rejected()
    {
        Assert.ThrowsAsync<AmiProtocolException>(async () => await Reader("Message: a\u0007b\r\n\r\n").ReadMessageAsync());
    }

    [Test]
    public void Bare_lf_line_ending_is_rejected()
    {
        Assert.ThrowsAsync<AmiProtocolException>(async () => await Reader("Response: Success\n\n").ReadMessageAsync());
    }

    [Test]
    public void Line_without_a_colon_is_rejected()
    {
        Assert.ThrowsAsync<AmiProtocolException>(async () => await Reader("garbage here\r\n\r\n").ReadMessageAsync());
    }

    [Test]
    public async Task Tab_and_utf8_are_accepted()
    {
        var m = await Reader("CallerIDName: Zoë\tX\r\n\r\n").ReadMessageAsync();
        Assert.That(m!["CallerIDName"], Is.EqualTo("Zoë\tX"));
    }

    // Asterisk 18-20 answer Action: Command with raw CLI text (LF line endings, written straight from the CLI) ended
    // by --END COMMAND--, which is not Key: Value framing. No transcript has it (the recorded version uses Output:).
    [TestCase(int.MaxValue)]
    [TestCase(1)]
    public async Task Follows_command_output_becomes_output_fields(int chunk)
    {
        var wire = Banner
            + "Response: Follows\r\nPrivilege: Command\r\nActionID: a2\r\n"
            + "[ Context 'tenant-acme' created by 'pbx_config' ]\n"
            + "  '1001' =>         1. Dial(PJSIP/acme-1001,30)                   [extensions_custom.conf:7]\n"
            + "\n"
            + "-= 1 extension (3 priorities) in 1 context. =-\n"
            + "--END COMMAND--\r\n\r\n"
            + "Response: Success\r\nActionID: a3\r\nPing: Pong\r\n\r\n";
        var reader = Reader(wire, chunk);
        await reader.ReadBannerAsync();
        var m = await reader.ReadMessageAsync();
        Assert.That(m!.Response, Is.EqualTo("Follows"));
        Assert.That(m.ActionId, Is.EqualTo("a2"));
        Assert.That(m["Privilege"], Is.EqualTo("Command"));
        Assert.That(m.GetAll("Output"), Is.EqualTo(new[]
        {
            "[ Context 'tenant-acme' created by 'pbx_config' ]",
            "  '1001' =>         1. Dial(PJSIP/acme-1001,30)                   [extensions_custom.conf:7]",
            "",
            "-= 1 extension (3 priorities) in 1 context. =-",
        }));
        var next = await reader.ReadMessageAsync();
        Assert.That(next!.ActionId, Is.EqualTo("a3"), "framing resumes after the command output");
    }

    [Test]
    public async Task Follows_output_without_final_newline_has_end_marker_glued_to_the_last_line()
    {
        var reader = Reader("Response: Follows\r\nPrivilege: Command\r\nActionID: x\r\nDialplan reloaded.--END COMMAND--\r\n\r\n");
        var m = await reader.ReadMessageAsync();
        Assert.That(m!.GetAll("Output"), Is.EqualTo(new[] { "Dialplan reloaded." }));
    }

    [Test]
    public async Task Follows_output_lines_that_look_like_headers_stay_output()
    {
        var reader = Reader("Response: Follows\r\nPrivilege: Command\r\nActionID: x\r\nVerbosity: 3\nActionID: fake\n--END COMMAND--\r\n\r\n");
        var m = await reader.ReadMessageAsync();
        Assert.That(m!.GetAll("Output"), Is.EqualTo(new[] { "Verbosity: 3", "ActionID: fake" }));
        Assert.That(m.GetAll("ActionID"), Is.EqualTo(new[] { "x" }));
    }

    [Test]
    public async Task Follows_output_cut_by_a_closed_connection_is_a_connection_error()
    {
        var reader = Reader("Response: Follows\r\nPrivilege: Command\r\nsome output\n");
        Assert.ThrowsAsync<AmiConnectionException>(async () => await reader.ReadMessageAsync());
        await Task.CompletedTask;
    }

    [Test]
    public async Task Repeated_keys_and_values_read_the_same_as_fresh_ones()
    {
        // The reader reuses the strings of known keys and of a key's previous value; what comes out must not change.
        var long1 = new string('a', 70);
        var wire = "Event: ListDialplan\r\nContext: c\r\nAppData: x\r\n\r\n"
            + "Event: ListDialplan\r\nContext: c\r\nAppData: \r\n\r\n"
            + "event: ListDialplan\r\nContext: d\r\nAppData: x\u00e9\r\n\r\n"
            + $"Event: ListDialplan\r\nContext: d\r\nAppData: {long1}\r\nOther: c\r\n\r\n"
            + $"Event: ListDialplan\r\nContext: d\r\nAppData: {long1}b\r\nOther: c\r\n\r\n";
        foreach (var chunk in new[] { int.MaxValue, 7 })
        {
            var reader = Reader(wire, chunk);
            var messages = new List<IReadOnlyList<KeyValuePair<string, string>>>();
            while (await reader.ReadMessageAsync() is { } m) messages.Add(m.Fields);
            Assert.That(messages, Is.EqualTo(new KeyValuePair<string, string>[][]
            {
                [new("Event", "ListDialplan"), new("Context", "c"), new("AppData", "x")],
                [new("Event", "ListDialplan"), new("Context", "c"), new("AppData", "")],
                [new("event", "ListDialplan"), new("Context", "d"), new("AppData", "x\u00e9")],
                [new("Event", "ListDialplan"), new("Context", "d"), new("AppData", long1), new("Other", "c")],
                [new("Event", "ListDialplan"), new("Context", "d"), new("AppData", long1 + "b"), new("Other", "c")],
            }));
        }
    }
}
