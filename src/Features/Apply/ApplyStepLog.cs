using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Did.Features.Apply;

/// <summary>What a step hands on to the next one; <see cref="Summary"/> is what the job records of it.</summary>
public interface IApplyStepResult
{
    string Summary { get; }
}

/// <summary>The job's record of its steps, written by running them: a step is a method with one input and one output,
/// and running it through the log times it and records its status and summary, or why it failed. Steps are listed in
/// the order they started; two that run side by side (lint and diff) each keep the place they started in. Each step is
/// also a span and a duration (<see cref="ApplyTelemetry"/>).</summary>
public sealed partial class ApplyStepLog(TimeProvider clock)
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    /// <summary>Every finished step, in the order the steps started.</summary>
    public IReadOnlyList<ApplyStep> Steps => [.. _entries.Select(e => e.Step).OfType<ApplyStep>()];

    /// <summary>Runs <paramref name="step"/> on <paramref name="input"/> and records it as <paramref name="name"/>. The
    /// step is listed before it starts, so a step started later is listed after it whichever finishes first.</summary>
    public async Task<TOut> RunAsync<TIn, TOut>(string name, Func<TIn, Task<TOut>> step, TIn input) where TOut : IApplyStepResult
    {
        var entry = new Entry();
        _entries.Enqueue(entry);
        using var activity = ApplyTelemetry.StartStep(name);
        var started = clock.GetTimestamp();
        try
        {
            var result = await step(input);
            entry.Step = new ApplyStep(name, ApplyStepStatus.Ok, Elapsed(started), result.Summary);
            ApplyTelemetry.StepEnded(activity, name, ApplyStepStatus.Ok, clock.GetElapsedTime(started));
            return result;
        }
        catch (Exception e)
        {
            entry.Step = new ApplyStep(name, ApplyStepStatus.Failed, Elapsed(started), Describe(e));
            ApplyTelemetry.StepEnded(activity, name, ApplyStepStatus.Failed, clock.GetElapsedTime(started), entry.Step.Output);
            throw;
        }
    }

    public void Skip(string name, string why) => _entries.Enqueue(new Entry { Step = new ApplyStep(name, ApplyStepStatus.Skipped, 0, why) });

    private long Elapsed(long started) => (long)clock.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>Why a step failed, as the job tells it: the message of a failure worth telling verbatim, with any
    /// absolute path a system error quotes cut down to the file's name (the job is shown to tenant admins, and the
    /// folders are the operator's configuration).</summary>
    public static string Describe(Exception e) => e switch
    {
        ApplyStepException or Infrastructure.Ami.AmiException => e.Message,
        IOException or UnauthorizedAccessException => QuotedPath().Replace(e.Message, m => $"'{Path.GetFileName(m.Groups[1].Value)}'"),
        TimeoutException => "Asterisk did not answer in time.",
        _ => $"{e.GetType().Name}: {QuotedPath().Replace(e.Message, m => $"'{Path.GetFileName(m.Groups[1].Value)}'")}",
    };

    [GeneratedRegex("'(/[^']*)'")]
    private static partial Regex QuotedPath();

    private sealed class Entry
    {
        private ApplyStep? _step;

        public ApplyStep? Step
        {
            get => Volatile.Read(ref _step);
            set => Volatile.Write(ref _step, value);
        }
    }
}

/// <summary>A step failed for a reason worth telling the operator verbatim.</summary>
public sealed class ApplyStepException(string message) : Exception(message);
