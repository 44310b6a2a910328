using FluentValidation;
using FluentValidation.Results;
using Mediator;

namespace Did.Infrastructure.Validation;

/// <summary>Runs every validator of a message before its handler, so a handler only ever sees valid input. The rules
/// are synchronous, so they run without an async state machine, and a message without a validator goes straight on:
/// this runs on every request (a rule made async later still works, through the fallback).</summary>
public sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse> where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        foreach (var validator in validators)
        {
            ValidationResult result;
            try
            {
                result = validator.Validate(message);
            }
            catch (AsyncValidatorInvokedSynchronouslyException)
            {
                return ValidateAsyncThenNext(message, next, ct);
            }
            if (!result.IsValid) throw new ValidationException(result.Errors);
        }
        return next(message, ct);
    }

    private async ValueTask<TResponse> ValidateAsyncThenNext(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(message, ct);
            if (!result.IsValid) throw new ValidationException(result.Errors);
        }
        return await next(message, ct);
    }
}
