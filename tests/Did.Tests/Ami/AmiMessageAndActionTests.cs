using System.Text;
using Did.Infrastructure.Ami;
using NUnit.Framework;

namespace Did.Tests.Ami;

public sealed class AmiMessageAndActionTests
{
    private static AmiMessage Message(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    [Test]
    public void Packet_with_event_and_response_is_an_event()
    {
        var m = Message(("Event", "OriginateResponse"), ("ActionID", "a2"), ("Response", "Success"));
        Assert.That((m.IsEvent, m.EventName, m.ActionId), Is.EqualTo((true, "OriginateResponse", "a2")));
    }

    [Test]
    public void Repeated_keys_keep_their_order_and_indexer_gives_the_first()
    {
        var m = Message(("Response", "Success"), ("Output", "one"), ("Output", ""), ("output", "three"));
        Assert.That(m.GetAll("Output"), Is.EqualTo(new[] { "one", "", "three" }));
        Assert.That(m["OUTPUT"], Is.EqualTo("one"));
        Assert.That(m["Missing"], Is.Null);
        Assert.That(m.IsEvent, Is.False);
    }

    [Test]
    public void Action_serializes_name_action_id_then_headers()
    {
        var bytes = new AmiAction("ShowDialPlan").With("Context", "tenant-acme").With("Extension", "").Serialize("x-1");
        Assert.That(Encoding.ASCII.GetString(bytes), Is.EqualTo("Action: ShowDialPlan\r\nActionID: x-1\r\nContext: tenant-acme\r\nExtension: \r\n\r\n"));
    }

    [TestCase("tenant\r\nAction: Command")]
    [TestCase("a\nb")]
    [TestCase("a\rb")]
    public void Header_value_with_a_line_break_is_rejected(string value)
    {
        Assert.Throws<ArgumentException>(() => new AmiAction("ShowDialPlan").With("Context", value));
    }

    [TestCase("Bad Name")]
    [TestCase("Name:")]
    public void Invalid_action_or_header_name_is_rejected(string name)
    {
        Assert.Throws<ArgumentException>(() => _ = new AmiAction(name));
        Assert.Throws<ArgumentException>(() => new AmiAction("Ping").With(name, "x"));
    }

    [Test]
    public void Action_id_cannot_be_set_by_hand()
    {
        Assert.Throws<ArgumentException>(() => new AmiAction("Ping").With("ActionID", "mine"));
    }

    [Test]
    public void Options_text_never_shows_the_secret()
    {
        var options = new AmiOptions { Username = "apply", Secret = "s3cr3t-value" };
        Assert.That(options.ToString(), Does.Not.Contain("s3cr3t-value"));
        Assert.That(options.ToString(), Does.Contain("apply"));
    }

    [Test]
    public void Options_defaults_are_the_documented_ones()
    {
        var o = new AmiOptions();
        Assert.That((o.Port, o.AuthType, o.ConnectTimeout, o.ResponseTimeout, o.ReloadTimeout),
            Is.EqualTo((5038, "md5", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(120))));
    }

    [Test]
    public void Dialplan_entry_priority_is_null_for_a_hint()
    {
        var hint = new AmiDialplanEntry("c", "1001", "hint", "PJSIP/x", "", "pbx_config");
        var second = new AmiDialplanEntry("c", "1001", "2", "Hangup", "", "pbx_config");
        Assert.That((hint.Priority, hint.IsHint, second.Priority, second.IsHint), Is.EqualTo(((int?)null, true, (int?)2, false)));
    }
}
