using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>The validation step in front of every handler: synchronous rules run without an async state machine, and
/// an async rule, which FluentValidation refuses to run synchronously, still runs.</summary>
public sealed class ValidationBehaviorTests
{
    public sealed record Message(string Name) : ICommand<string>;

    private sealed class SyncRules : AbstractValidator<Message>
    {
        public SyncRules() => RuleFor(m => m.Name).NotEmpty();
    }

    private sealed class AsyncRules : AbstractValidator<Message>
    {
        public AsyncRules() => RuleFor(m => m.Name).MustAsync(async (name, ct) =>
        {
            await Task.Yield();
            return name != "taken";
        }).WithMessage("'name' is taken.");
    }

    private static async Task<(string? Result, ValidationException? Error, int Calls)> SendAsync(Message message, params IValidator<Message>[] validators)
    {
        var calls = 0;
        var behavior = new ValidationBehavior<Message, string>(validators);
        try
        {
            var result = await behavior.Handle(message, (m, _) => { calls++; return ValueTask.FromResult("handled " + m.Name); }, CancellationToken.None);
            return (result, null, calls);
        }
        catch (ValidationException e)
        {
            return (null, e, calls);
        }
    }

    [Test]
    public async Task A_valid_message_reaches_the_handler_once()
    {
        var (result, error, calls) = await SendAsync(new("acme"), new SyncRules(), new AsyncRules());
        Assert.That((result, error, calls), Is.EqualTo(("handled acme", (ValidationException?)null, 1)));
    }

    [Test]
    public async Task A_message_without_validators_reaches_the_handler()
    {
        var (result, _, calls) = await SendAsync(new(""));
        Assert.That((result, calls), Is.EqualTo(("handled ", 1)));
    }

    [Test]
    public async Task A_synchronous_rule_stops_the_message()
    {
        var (_, error, calls) = await SendAsync(new(""), new SyncRules());
        Assert.That(calls, Is.Zero);
        Assert.That(error!.Errors.Select(e => (e.ErrorCode, e.AttemptedValue)), Is.EqualTo(new[] { ("NotEmptyValidator", (object)"") }));
    }

    [Test]
    public async Task An_async_rule_runs_and_stops_the_message()
    {
        var (_, error, calls) = await SendAsync(new("taken"), new SyncRules(), new AsyncRules());
        Assert.That(calls, Is.Zero);
        Assert.That(error!.Errors.Select(e => e.ErrorMessage), Is.EqualTo(new[] { "'name' is taken." }));
    }
}
