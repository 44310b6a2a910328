using NUnit.Framework;
using System.Text;
using Did.Infrastructure.Ami;

namespace Did.Tests.Ami;

public sealed class AmiFrameReaderTranscriptTests
{
    private static IEnumerable<string> Transcripts() => Transcript.Names();

    [TestCaseSource(nameof(Transcripts))]
    public void Server_bytes_are_the_server_lines_joined_with_crlf(string name)
    {
        var t = Transcript.Load(name);
        var joined = string.Concat(t.ServerLines.Select(l => l + "\r\n"));
        Assert.That(Encoding.ASCII.GetString(t.ServerBytes), Is.EqualTo(joined));
    }

    [TestCaseSource(nameof(Transcripts))]
    public async Task Reader_parses_every_packet_of_the_transcript_in_one_read(string name) =>
        await AssertParses(Transcript.Load(name), int.MaxValue);

    [TestCaseSource(nameof(Transcripts))]
    public async Task Reader_parses_every_packet_of_the_transcript_one_byte_at_a_time(string name) =>
        await AssertParses(Transcript.Load(name), 1);

    [TestCaseSource(nameof(Transcripts))]
    public async Task Reader_parses_every_packet_of_the_transcript_in_odd_sized_reads(string name) =>
        await AssertParses(Transcript.Load(name), 7);

    private static async Task AssertParses(Transcript t, int chunk)
    {
        var stream = new ChunkedStream(t.ServerBytes, chunk);
        var reader = new AmiFrameReader(stream);
        Assert.That(await reader.ReadBannerAsync(), Is.EqualTo("Asterisk Call Manager/13.0.0"));
        var actual = new List<IReadOnlyList<KeyValuePair<string, string>>>();
        while (await reader.ReadMessageAsync() is { } message) actual.Add(message.Fields);
        var expected = t.ExpectedPackets();
        Assert.That(actual, Has.Count.EqualTo(expected.Count), "packet count");
        for (var i = 0; i < expected.Count; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]), $"packet {i}");
        Assert.That(stream.AtEnd, Is.True);
    }
}
