namespace ChatAdvisor.Core.Answering.Llm;

/// <summary>Why a language-model call gave no usable answer.</summary>
public enum LlmFailureKind
{
    /// <summary>No reply within <see cref="LlmOptions.TimeoutSeconds"/>.</summary>
    Timeout,
    /// <summary>429: the endpoint asked to slow down.</summary>
    RateLimited,
    /// <summary>A 5xx reply.</summary>
    ServerError,
    /// <summary>Another error status (401 bad key, 404 unknown model, …).</summary>
    Rejected,
    /// <summary>The endpoint could not be reached (connection refused, DNS, TLS).</summary>
    Unreachable,
    /// <summary>The reply could not be read, or held no text.</summary>
    MalformedOutput,
    /// <summary>The circuit breaker is open: the endpoint failed repeatedly and is left alone for a while.</summary>
    CircuitOpen,
}

/// <summary>
/// Thrown by a chat client adapter when a call fails in a way the answerer handles: the message is safe to log
/// (it holds no key, prompt or user text).
/// </summary>
public sealed class LlmCallException(LlmFailureKind kind, string message, TimeSpan? retryAfter = null, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>What went wrong.</summary>
    public LlmFailureKind Kind { get; } = kind;

    /// <summary>For <see cref="LlmFailureKind.RateLimited"/>: how long the endpoint asked us to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>What a failed call stands for, as the circuit breaker records it and the logs show it.</summary>
/// <param name="Kind">The failure kind.</param>
/// <param name="Detail">A short description without key, prompt or reply text.</param>
/// <param name="RetryAfter">For a 429: how long the endpoint asked us to wait, when it said.</param>
public sealed record LlmFailure(LlmFailureKind Kind, string Detail, TimeSpan? RetryAfter)
{
    /// <summary>
    /// The failure <paramref name="exception"/> stands for, or null when <paramref name="cancellationToken"/> was
    /// cancelled: then the caller gave up, which says nothing about the model.
    /// </summary>
    public static LlmFailure? Classify(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        LlmCallException call => new LlmFailure(call.Kind, call.Message, call.RetryAfter),
        OperationCanceledException => new LlmFailure(LlmFailureKind.Timeout, "no reply in time", null),
        HttpRequestException http => new LlmFailure(LlmFailureKind.Unreachable, http.HttpRequestError.ToString(), null),
        _ => new LlmFailure(LlmFailureKind.MalformedOutput, exception.GetType().Name, null),
    };
}
