using ChatAdvisor.Core.Answering.Llm;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Tests.Answering.Llm;

public class LlmHealthTests
{
    private readonly ManualTimeProvider _time = new();

    private LlmHealth Create(int failures = 3, double breakSeconds = 30) => new(
        Options.Create(new LlmOptions { Provider = "openai", Endpoint = "http://127.0.0.1:1/v1", CircuitBreakerFailures = failures, CircuitBreakSeconds = breakSeconds }),
        _time);

    [Fact]
    public void RecordFailure_ThresholdReached_StopsCallsUntilBreakEnds()
    {
        var health = Create(failures: 3, breakSeconds: 30);

        health.RecordFailure(LlmFailureKind.ServerError, "status 500");
        health.RecordFailure(LlmFailureKind.ServerError, "status 500");
        Assert.True(health.IsCallAllowed());
        health.RecordFailure(LlmFailureKind.Unreachable, "transport error ConnectionError");
        Assert.False(health.IsCallAllowed());

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(health.IsCallAllowed());
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(health.IsCallAllowed());
    }

    [Fact]
    public void RecordFailure_TrialCallFailsAfterBreak_OpensAgain()
    {
        var health = Create(failures: 2, breakSeconds: 10);
        health.RecordFailure(LlmFailureKind.Timeout, "no reply");
        health.RecordFailure(LlmFailureKind.Timeout, "no reply");
        _time.Advance(TimeSpan.FromSeconds(11));

        health.RecordFailure(LlmFailureKind.Timeout, "no reply");

        Assert.False(health.IsCallAllowed());
    }

    [Fact]
    public void RecordSuccess_BetweenFailures_ResetsTheCount()
    {
        var health = Create(failures: 2);

        health.RecordFailure(LlmFailureKind.ServerError, "status 503");
        health.RecordSuccess(TimeSpan.FromSeconds(1));
        health.RecordFailure(LlmFailureKind.ServerError, "status 503");

        Assert.True(health.IsCallAllowed());
    }

    [Fact]
    public void RecordFailure_RateLimitedWithRetryAfter_OpensAtOnceForThatLong()
    {
        var health = Create(failures: 5);

        health.RecordFailure(LlmFailureKind.RateLimited, "status 429", TimeSpan.FromSeconds(60));

        Assert.False(health.IsCallAllowed());
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.True(health.IsCallAllowed());
    }

    [Fact]
    public void GetStatus_AfterFailure_ReadyWithFailureInDetail()
    {
        var health = Create(failures: 1);

        health.RecordFailure(LlmFailureKind.Timeout, "no reply within 2 s");
        var status = health.GetStatus();

        Assert.True(status.Ready);
        Assert.Contains("circuit open", status.Detail);
        Assert.Contains("timeout: no reply within 2 s", status.Detail);
    }
}
