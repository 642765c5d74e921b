using System.Runtime.CompilerServices;
using ChatAdvisor.Core.Answering.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Tests.Answering.Llm;

public class LlmAnswererTests
{
    private static readonly PromptLibrary Prompts = PromptLibrary.Load(Path.Combine(RepoPaths.Root, "prompts"));

    private static LlmAnswerer Create(FakeChatClient client, LlmOptions? options = null)
    {
        options ??= new LlmOptions { Provider = "openai", Endpoint = "http://127.0.0.1:1/v1", GenerateSuggestions = false };
        var wrapped = Options.Create(options);
        return new LlmAnswerer(client, Prompts, wrapped, TimeProvider.System, NullLogger<LlmAnswerer>.Instance);
    }

    [Fact]
    public async Task AnswerAsync_CitedReply_RenumberedAnswerWithVerbatimQuotes()
    {
        var client = new FakeChatClient(_ => "FastAPI is fast [4] and has docs [4]. Django has an admin [2] [9].");
        using var turn = Create(client).BeginTurn();

        var answer = await turn.AnswerAsync("Which is fastest?", [], LlmTestData.Hits(4));

        Assert.NotNull(answer);
        Assert.True(answer.Grounded);
        Assert.Equal("FastAPI is fast [1] and has docs [1]. Django has an admin [2].", answer.Text);
        Assert.Equal([LlmTestData.Passages[3], LlmTestData.Passages[1]], answer.Citations.Select(c => c.Quote));
    }

    [Fact]
    public async Task AnswerAsync_Prompt_HasNumberedSourcesQuestionAndHistoryWithoutOldMarkers()
    {
        var client = new FakeChatClient(_ => "Flask is small [3].");
        using var turn = Create(client).BeginTurn();

        await turn.AnswerAsync("and its disadvantages?", [new PriorTurn("What is Flask?", "Flask is a micro-framework [1].")], LlmTestData.Hits(4));

        var messages = Assert.Single(client.Requests);
        Assert.Equal(ChatRole.System, messages[0].Role);
        var prompt = messages[1].Text;
        Assert.Contains("[1] Article 0 — Performance\n" + LlmTestData.Passages[0], prompt);
        Assert.Contains("[4] Article 0\n" + LlmTestData.Passages[3], prompt);
        Assert.Contains("User: What is Flask?\nAdvisor: Flask is a micro-framework.", prompt);
        Assert.Contains("Question: and its disadvantages?", prompt);
    }

    [Fact]
    public async Task AnswerAsync_NoValidCitation_NullForExtractiveFallback()
    {
        var client = new FakeChatClient(_ => "FastAPI, obviously [7].");
        using var turn = Create(client).BeginTurn();

        Assert.Null(await turn.AnswerAsync("Which is fastest?", [], LlmTestData.Hits(2)));
    }

    [Fact]
    public async Task AnswerAsync_NotCovered_UngroundedAnswer()
    {
        var client = new FakeChatClient(_ => "NOT COVERED: The articles do not compare hosting prices.");
        using var turn = Create(client).BeginTurn();

        var answer = await turn.AnswerAsync("How much does hosting cost?", [], LlmTestData.Hits(2));

        Assert.NotNull(answer);
        Assert.False(answer.Grounded);
        Assert.Empty(answer.Citations);
        Assert.Equal("The articles do not compare hosting prices.", answer.Text);
    }

    [Fact]
    public async Task AnswerAsync_ClientThrows_NullAndFailureOnStatus()
    {
        var client = new FakeChatClient(_ => throw new LlmCallException(LlmFailureKind.ServerError, "status 502"));
        var answerer = Create(client);
        using var turn = answerer.BeginTurn();

        Assert.Null(await turn.AnswerAsync("Which is fastest?", [], LlmTestData.Hits(2)));
        Assert.True(turn.Failed);
    }

    [Fact]
    public async Task RewriteAsync_FollowUp_QueryFromModelWithHistoryInPrompt()
    {
        var client = new FakeChatClient(_ => "Query: \"What are the disadvantages of Flask?\"\n");
        using var turn = Create(client).BeginTurn();

        var query = await turn.RewriteAsync("and its disadvantages?", [new PriorTurn("What is Flask?", "Flask is a micro-framework [1].")]);

        Assert.Equal("What are the disadvantages of Flask?", query);
        Assert.Contains("User: What is Flask?", Assert.Single(client.Requests)[0].Text);
    }

    [Fact]
    public async Task RewriteAsync_FirstQuestion_NoCall()
    {
        var client = new FakeChatClient(_ => "unused");
        using var turn = Create(client).BeginTurn();

        Assert.Null(await turn.RewriteAsync("What is Flask?", []));
        Assert.Empty(client.Requests);
    }

    [Fact]
    public async Task RewriteAsync_Failed_AnswerNotAttempted()
    {
        var client = new FakeChatClient(_ => throw new LlmCallException(LlmFailureKind.Unreachable, "transport error ConnectionError"));
        using var turn = Create(client).BeginTurn();

        Assert.Null(await turn.RewriteAsync("and its cons?", [new PriorTurn("What is Flask?", "A micro-framework [1].")]));
        Assert.Null(await turn.AnswerAsync("and its cons?", [], LlmTestData.Hits(2)));
        Assert.Single(client.Requests);
    }

    [Fact]
    public async Task AnswerAsync_WithSuggestions_SuggestionsFromModel()
    {
        var client = new FakeChatClient(messages => messages[0].Role == ChatRole.System
            ? "Django has an admin [2]."
            : "1. Is Django good for beginners?\n- How does Flask handle databases?\nnot a question");
        var options = new LlmOptions { Provider = "openai", Endpoint = "http://127.0.0.1:1/v1" };
        using var turn = Create(client, options).BeginTurn();

        var answer = await turn.AnswerAsync("What does Django include?", [], LlmTestData.Hits(2));

        Assert.Equal(["Is Django good for beginners?", "How does Flask handle databases?"], answer!.Suggestions);
    }

    [Fact]
    public async Task AnswerStreamingAsync_Reply_DeltasMatchFinalText()
    {
        var client = new FakeChatClient(_ => "Django has an admin [2]. FastAPI is fast [1] [5].");
        using var turn = Create(client).BeginTurn();

        var deltas = "";
        LlmAnswer? final = null;
        await foreach (var item in turn.AnswerStreamingAsync("Compare them", [], LlmTestData.Hits(2)))
        {
            if (item is LlmTextDelta delta)
                deltas += delta.Text;
            else if (item is LlmCompleted completed)
                final = completed.Answer;
        }

        Assert.NotNull(final);
        Assert.Equal("Django has an admin [1]. FastAPI is fast [2].", final.Text);
        Assert.Equal(final.Text, deltas);
        Assert.True(client.StreamedChunks > 3);
    }

    [Fact]
    public async Task AnswerStreamingAsync_ReplyShorterThanSentinel_StillStreamed()
    {
        var client = new FakeChatClient(_ => "No [1].");
        using var turn = Create(client).BeginTurn();

        var items = new List<LlmStreamItem>();
        await foreach (var item in turn.AnswerStreamingAsync("Is Flask async?", [], LlmTestData.Hits(2)))
            items.Add(item);

        Assert.Equal("No [1].", string.Concat(items.OfType<LlmTextDelta>().Select(d => d.Text)));
        Assert.Equal("No [1].", Assert.IsType<LlmCompleted>(items[^1]).Answer!.Text);
    }

    [Fact]
    public async Task AnswerStreamingAsync_NotCovered_NoDeltasUngroundedFinal()
    {
        var client = new FakeChatClient(_ => "NOT COVERED: Nothing on Rust.");
        using var turn = Create(client).BeginTurn();

        var items = new List<LlmStreamItem>();
        await foreach (var item in turn.AnswerStreamingAsync("Rust?", [], LlmTestData.Hits(2)))
            items.Add(item);

        var completed = Assert.IsType<LlmCompleted>(Assert.Single(items));
        Assert.False(completed.Answer!.Grounded);
    }
}

/// <summary>A chat client double: replies with <c>reply(messages)</c>, streaming it three characters at a time.</summary>
internal sealed class FakeChatClient(Func<IList<ChatMessage>, string> reply) : IChatClient
{
    private readonly List<IList<ChatMessage>> _requests = [];

    public IReadOnlyList<IList<ChatMessage>> Requests
    {
        get
        {
            lock (_requests)
                return [.. _requests];
        }
    }

    public int StreamedChunks { get; private set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        lock (_requests)
            _requests.Add(list);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply(list))));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        lock (_requests)
            _requests.Add(list);
        var text = reply(list);
        for (var i = 0; i < text.Length; i += 3)
        {
            await Task.Yield();
            StreamedChunks++;
            yield return new ChatResponseUpdate(ChatRole.Assistant, text.Substring(i, Math.Min(3, text.Length - i)));
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fake") : null;

    public void Dispose()
    {
    }
}
