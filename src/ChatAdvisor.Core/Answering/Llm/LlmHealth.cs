using System.Globalization;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Answering.Llm;

/// <summary>
/// The language model's health: a circuit breaker that stops calling an endpoint after repeated failures
/// (or for as long as a 429 asks), and the status <c>/readyz</c> shows. Thread-safe.
/// </summary>
/// <remarks>
/// The advisor stays ready while the model is down, because the extractive composer answers instead; the
/// failure shows in the component's detail.
/// </remarks>
public sealed class LlmHealth(IOptions<LlmOptions> options, TimeProvider time) : IReadinessContributor
{
    // A 429's Retry-After is honoured up to this long, so a bad header cannot switch the model off for days.
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(10);

    private readonly Lock _gate = new();
    private readonly LlmOptions _options = options.Value;
    private int _consecutiveFailures;
    private DateTimeOffset _openUntil = DateTimeOffset.MinValue;
    private string? _lastFailure;
    private DateTimeOffset? _lastFailureAt;
    private DateTimeOffset? _lastSuccessAt;
    private TimeSpan _lastSuccessDuration;
    private long _successes;
    private long _failures;

    /// <inheritdoc />
    public string Name => "llm";

    /// <summary>True when the model may be called now; false while the circuit is open.</summary>
    public bool IsCallAllowed()
    {
        lock (_gate)
            return time.GetUtcNow() >= _openUntil;
    }

    /// <summary>When the circuit closes again, or null when it is closed.</summary>
    public DateTimeOffset? OpenUntil()
    {
        lock (_gate)
            return time.GetUtcNow() < _openUntil ? _openUntil : null;
    }

    /// <summary>Records a call that returned a reply.</summary>
    public void RecordSuccess(TimeSpan duration)
    {
        lock (_gate)
        {
            _consecutiveFailures = 0;
            _lastSuccessAt = time.GetUtcNow();
            _lastSuccessDuration = duration;
            _successes++;
        }
    }

    /// <summary>Records a failed call; opens the circuit after enough of them in a row, or at once for a 429 with Retry-After.</summary>
    public void RecordFailure(LlmFailureKind kind, string detail, TimeSpan? retryAfter = null)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            _consecutiveFailures++;
            _failures++;
            _lastFailure = $"{Describe(kind)}: {detail}";
            _lastFailureAt = now;
            if (_consecutiveFailures >= _options.CircuitBreakerFailures)
                _openUntil = Later(_openUntil, now + TimeSpan.FromSeconds(_options.CircuitBreakSeconds));
            if (kind == LlmFailureKind.RateLimited && retryAfter is { } wait && wait > TimeSpan.Zero)
                _openUntil = Later(_openUntil, now + (wait < MaxRetryAfter ? wait : MaxRetryAfter));
        }
    }

    /// <inheritdoc />
    public ComponentStatus GetStatus()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var model = _options.IsAzure ? $"azure-openai deployment {_options.Deployment}" : $"{_options.Provider} model {_options.Model}";
            var parts = new List<string> { model };
            if (now < _openUntil)
                parts.Add($"circuit open until {Format(_openUntil)}, answering extractively");
            else
                parts.Add(_consecutiveFailures == 0 ? "ok" : $"{_consecutiveFailures} failure(s) in a row");
            parts.Add($"calls: {_successes} ok, {_failures} failed");
            if (_lastSuccessAt is { } success)
                parts.Add($"last reply {Format(success)} in {_lastSuccessDuration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
            if (_lastFailureAt is { } failure)
                parts.Add($"last failure {Format(failure)}: {_lastFailure}");
            return new ComponentStatus(Ready: true, string.Join("; ", parts));
        }
    }

    /// <summary>A short name for a failure kind, as logs and /readyz show it.</summary>
    public static string Describe(LlmFailureKind kind) => kind switch
    {
        LlmFailureKind.Timeout => "timeout",
        LlmFailureKind.RateLimited => "rate limited (429)",
        LlmFailureKind.ServerError => "server error",
        LlmFailureKind.Rejected => "request rejected",
        LlmFailureKind.Unreachable => "endpoint unreachable",
        LlmFailureKind.MalformedOutput => "malformed output",
        LlmFailureKind.CircuitOpen => "circuit open",
        _ => kind.ToString(),
    };

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
