using ChatAdvisor.Core.Answering.Llm;
using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Tests.Answering.Llm;

public class LlmChatClientsTests
{
    private static readonly LlmOptions Options = new() { Provider = "openai", Endpoint = "http://127.0.0.1:1/v1", TimeoutSeconds = 0.3, CircuitBreakerFailures = 2 };

    private static ChatOptions Tagged(string purpose, DateTimeOffset? deadline = null) => new()
    {
        MaxOutputTokens = 10,
        AdditionalProperties = new()
        {
            [LlmCallOptions.PurposeKey] = purpose,
            [LlmCallOptions.DeadlineKey] = deadline ?? DateTimeOffset.UtcNow.AddMinutes(1),
        },
    };

    [Fact]
    public async Task Timeout_InnerStalls_TimeoutFailureAtTheConfiguredLimit()
    {
        var inner = new ScriptedChatClient(async ct => { await Task.Delay(TimeSpan.FromSeconds(30), ct); return "late"; });
        using var client = new LlmTimeoutChatClient(inner, Options, TimeProvider.System);

        var error = await Assert.ThrowsAsync<LlmCallException>(() => client.GetResponseAsync("q", Tagged("answer")));

        Assert.Equal(LlmFailureKind.Timeout, error.Kind);
    }

    [Fact]
    public async Task Timeout_DeadlinePassed_FailsWithoutCalling()
    {
        var inner = new ScriptedChatClient(_ => Task.FromResult("unused"));
        using var client = new LlmTimeoutChatClient(inner, Options, TimeProvider.System);

        var error = await Assert.ThrowsAsync<LlmCallException>(() => client.GetResponseAsync("q", Tagged("answer", DateTimeOffset.UtcNow.AddSeconds(-1))));

        Assert.Equal(LlmFailureKind.Timeout, error.Kind);
        Assert.Equal(0, inner.Calls);
    }

    [Fact]
    public async Task Timeout_CallerCancels_CancellationNotTurnedIntoFailure()
    {
        var inner = new ScriptedChatClient(async ct => { await Task.Delay(TimeSpan.FromSeconds(30), ct); return "late"; });
        using var client = new LlmTimeoutChatClient(inner, new LlmOptions { TimeoutSeconds = 30 }, TimeProvider.System);
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("q", Tagged("answer"), caller.Token));
    }

    [Fact]
    public async Task Timeout_OwnEntriesRemovedBeforeTheProvider()
    {
        var inner = new ScriptedChatClient(_ => Task.FromResult("ok"));
        using var client = new LlmTimeoutChatClient(inner, Options, TimeProvider.System);

        await client.GetResponseAsync("q", Tagged("answer"));

        Assert.Null(inner.LastOptions!.AdditionalProperties);
        Assert.Equal(10, inner.LastOptions.MaxOutputTokens);
    }

    [Fact]
    public async Task CircuitBreaker_FailuresOpenTheCircuit_ThenNoCallReachesTheEndpoint()
    {
        var health = new LlmHealth(Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System);
        var inner = new ScriptedChatClient(_ => throw new LlmCallException(LlmFailureKind.ServerError, "status 500"));
        using var client = new LlmCircuitBreakerChatClient(inner, health);

        for (var i = 0; i < 2; i++)
            await Assert.ThrowsAsync<LlmCallException>(() => client.GetResponseAsync("q", Tagged("answer")));
        var error = await Assert.ThrowsAsync<LlmCallException>(() => client.GetResponseAsync("q", Tagged("suggestions")));

        Assert.Equal(LlmFailureKind.CircuitOpen, error.Kind);
        Assert.Equal(2, inner.Calls);
        Assert.Contains("server error: status 500", health.GetStatus().Detail);
    }

    [Fact]
    public async Task CircuitBreaker_SuggestionsFailures_NotRecorded()
    {
        var health = new LlmHealth(Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System);
        var inner = new ScriptedChatClient(_ => throw new LlmCallException(LlmFailureKind.ServerError, "status 500"));
        using var client = new LlmCircuitBreakerChatClient(inner, health);

        for (var i = 0; i < 3; i++)
            await Assert.ThrowsAsync<LlmCallException>(() => client.GetResponseAsync("q", Tagged("suggestions")));

        Assert.True(health.IsCallAllowed());
        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task CircuitBreaker_EmptyReply_RecordedAsMalformedOutput()
    {
        var health = new LlmHealth(Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System);
        using var client = new LlmCircuitBreakerChatClient(new ScriptedChatClient(_ => Task.FromResult(" ")), health);

        var error = await Assert.ThrowsAsync<LlmCallException>(() => client.GetResponseAsync("q", Tagged("answer")));

        Assert.Equal(LlmFailureKind.MalformedOutput, error.Kind);
        Assert.Contains("malformed output", health.GetStatus().Detail);
    }

    /// <summary>A chat client whose reply is <c>reply(cancellationToken)</c>; counts calls and keeps the last options.</summary>
    private sealed class ScriptedChatClient(Func<CancellationToken, Task<string>> reply) : IChatClient
    {
        private int _calls;

        public int Calls => _calls;

        public ChatOptions? LastOptions { get; private set; }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            LastOptions = options;
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, await reply(cancellationToken)));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
