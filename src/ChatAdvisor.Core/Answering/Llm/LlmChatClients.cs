using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Answering.Llm;

/// <summary>
/// The entries of <see cref="ChatOptions.AdditionalProperties"/> the answerer sets for the layers of the chat client
/// pipeline. <see cref="LlmTimeoutChatClient"/> removes them, so they never reach the provider.
/// </summary>
public static class LlmCallOptions
{
    /// <summary>What the call is for: <c>answer</c>, <c>rewrite</c> or <c>suggestions</c>.</summary>
    public const string PurposeKey = "chatadvisor.purpose";

    /// <summary>The <see cref="DateTimeOffset"/> by which the question's calls must be done.</summary>
    public const string DeadlineKey = "chatadvisor.deadline";

    /// <summary>The purpose of the suggestions call, which never counts for or against the circuit breaker.</summary>
    public const string SuggestionsPurpose = "suggestions";

    internal static string? Purpose(ChatOptions? options)
        => options?.AdditionalProperties?.TryGetValue(PurposeKey, out var value) == true ? value?.ToString() : null;

    internal static DateTimeOffset? Deadline(ChatOptions? options)
        => options?.AdditionalProperties?.TryGetValue(DeadlineKey, out var value) == true && value is DateTimeOffset deadline ? deadline : null;

    internal static ChatOptions? WithoutOurs(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties || !(properties.ContainsKey(PurposeKey) || properties.ContainsKey(DeadlineKey)))
            return options;
        var copy = options.Clone();
        copy.AdditionalProperties!.Remove(PurposeKey);
        copy.AdditionalProperties.Remove(DeadlineKey);
        if (copy.AdditionalProperties.Count == 0)
            copy.AdditionalProperties = null;
        return copy;
    }
}

/// <summary>
/// Ends a call at <see cref="LlmOptions.TimeoutSeconds"/>, or earlier at the question's deadline
/// (<see cref="LlmCallOptions.DeadlineKey"/>), with an <see cref="LlmCallException"/> of kind
/// <see cref="LlmFailureKind.Timeout"/>. A stream must be finished by then too. Thread-safe.
/// </summary>
public sealed class LlmTimeoutChatClient(IChatClient innerClient, LlmOptions options, TimeProvider time) : DelegatingChatClient(innerClient)
{
    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var timeout = StartTimeout(options);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await base.GetResponseAsync(messages, LlmCallOptions.WithoutOurs(options), linked.Token).ConfigureAwait(false);
        }
        catch (Exception) when (TimerFired(timeout, cancellationToken))
        {
            throw TimedOut();
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var timeout = StartTimeout(options);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var updates = base.GetStreamingResponseAsync(messages, LlmCallOptions.WithoutOurs(options), linked.Token).GetAsyncEnumerator(linked.Token);
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                        yield break;
                }
                catch (Exception) when (TimerFired(timeout, cancellationToken))
                {
                    throw TimedOut();
                }
                yield return updates.Current;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    private CancellationTokenSource StartTimeout(ChatOptions? chatOptions)
    {
        var limit = options.Timeout;
        if (LlmCallOptions.Deadline(chatOptions) is { } deadline)
        {
            var left = deadline - time.GetUtcNow();
            if (left < limit)
                limit = left;
        }
        if (limit <= TimeSpan.Zero)
            throw TimedOut();
        return new CancellationTokenSource(limit, time);
    }

    // Once our timer has fired, whatever the call ends with (a cancellation, or a transport or I/O error of a request
    // cut short) is the timeout. A failure the provider reported before then stays what it was.
    private static bool TimerFired(CancellationTokenSource timeout, CancellationToken cancellationToken)
        => timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;

    private LlmCallException TimedOut()
        => new(LlmFailureKind.Timeout, $"no reply within {options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s");
}

/// <summary>
/// The circuit breaker as a chat client layer: while <see cref="LlmHealth"/> has the circuit open, calls fail at once
/// with <see cref="LlmFailureKind.CircuitOpen"/> and never reach the endpoint; otherwise each call's outcome is recorded
/// (a reply without text counts as malformed output). Suggestions calls are gated but not recorded: they are extras
/// that never decide whether the model is healthy. Thread-safe.
/// </summary>
public sealed class LlmCircuitBreakerChatClient(IChatClient innerClient, LlmHealth health) : DelegatingChatClient(innerClient)
{
    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        EnsureClosed();
        var records = Records(options);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(response.Text))
                throw new LlmCallException(LlmFailureKind.MalformedOutput, "the reply held no text");
            if (records)
                health.RecordSuccess(Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (Exception exception) when (records && Record(exception, cancellationToken))
        {
            throw; // never reached: Record returns false
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EnsureClosed();
        var records = Records(options);
        var started = Stopwatch.GetTimestamp();
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                        break;
                }
                catch (Exception exception) when (records && Record(exception, cancellationToken))
                {
                    throw; // never reached: Record returns false
                }
                yield return updates.Current;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
        if (records)
            health.RecordSuccess(Stopwatch.GetElapsedTime(started));
    }

    private void EnsureClosed()
    {
        if (!health.IsCallAllowed())
        {
            var until = health.OpenUntil() is { } at ? " until " + at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : "";
            throw new LlmCallException(LlmFailureKind.CircuitOpen, "circuit open" + until);
        }
    }

    private static bool Records(ChatOptions? options) => LlmCallOptions.Purpose(options) != LlmCallOptions.SuggestionsPurpose;

    // Used as an exception filter so the exception leaves with its stack unchanged.
    private bool Record(Exception exception, CancellationToken cancellationToken)
    {
        if (LlmFailure.Classify(exception, cancellationToken) is { } failure)
            health.RecordFailure(failure.Kind, failure.Detail, failure.RetryAfter);
        return false;
    }
}
