using System.Net;
using System.Text.Json.Nodes;
using ChatAdvisor.Tests.Channels.BotFramework;
using ChatAdvisor.Tests.Llm;

namespace ChatAdvisor.Tests.Channels.Streaming;

/// <summary>The bot, a fake Teams channel and a model that writes slowly, shared by the Teams streaming tests.</summary>
public sealed class TeamsStreamingFixture : BotFixtureBase
{
    public StubOpenAIServer Model { get; private set; } = null!;

    protected override (string Key, string? Value)[] Settings => [.. SlowModel.Settings(Model).Select(s => (s.Key, s.Value))];

    protected override async Task StartPeersAsync() => Model = await SlowModel.StartAsync(TimeSpan.FromMilliseconds(150));

    protected override ValueTask StopPeersAsync() => Model.DisposeAsync();
}

/// <summary>
/// Teams streaming against the fake Connector: typing activities with a streaminfo entity (informative, then
/// streaming, the whole text so far each time, at most one a second), concluded by the final message; only in
/// personal chats; a stream the user stops ends cleanly.
/// </summary>
public sealed class TeamsStreamingTests(TeamsStreamingFixture fixture) : IClassFixture<TeamsStreamingFixture>
{
    private const string Question = "Which framework should I use for a high-traffic ML inference API?";

    private FakeChannel Channel => fixture.Channel;

    private static JsonObject? StreamInfo(ReceivedActivity activity)
        => activity.Body["entities"]?.AsArray().Select(e => e as JsonObject).FirstOrDefault(e => e?["type"]?.GetValue<string>() == "streaminfo");

    [Fact]
    public async Task Message_PersonalChat_StreamsThenConcludesWithTheFinalMessage()
    {
        var conversationId = "a:stream-" + Guid.NewGuid().ToString("N");
        using (var response = await Channel.PostAsync(fixture.Bot.BaseAddress, Channel.Activity("message", conversationId, Question), Channel.CreateToken(Channel.ServiceUrl)))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var final = await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");
        var received = Channel.ReceivedIn(conversationId);
        var updates = received.Where(r => r.Type == "typing" && StreamInfo(r) is not null).ToList();

        // First the status while searching, then the text as it is written.
        var informative = StreamInfo(updates[0])!;
        Assert.Equal("informative", informative["streamType"]!.GetValue<string>());
        Assert.Equal(1, informative["streamSequence"]!.GetValue<int>());
        Assert.Null(informative["streamId"]);
        var streamId = updates[0].AssignedId;
        Assert.NotNull(streamId);

        var streaming = updates.Skip(1).ToList();
        Assert.True(streaming.Count >= 2, $"the text is streamed in several updates: {streaming.Count}");
        for (int i = 0; i < streaming.Count; i++)
        {
            var info = StreamInfo(streaming[i])!;
            Assert.Equal("streaming", info["streamType"]!.GetValue<string>());
            Assert.Equal(i + 2, info["streamSequence"]!.GetValue<int>());
            Assert.Equal(streamId, info["streamId"]!.GetValue<string>());
            // Only the stream's information rides on an update: citations, feedback and the AI label wait for the final message.
            Assert.Single(streaming[i].Body["entities"]!.AsArray());
            Assert.Null(streaming[i].Body["channelData"]);
            if (i > 0)
            {
                // Each update carries the whole text so far, and they come at most once a second.
                Assert.StartsWith(streaming[i - 1].Body["text"]!.GetValue<string>(), streaming[i].Body["text"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.True(streaming[i].At - streaming[i - 1].At >= TimeSpan.FromMilliseconds(900), $"updates {i} and {i + 1} came {(streaming[i].At - streaming[i - 1].At).TotalMilliseconds:F0} ms apart");
            }
        }
        Assert.StartsWith("FastAPI is one of the fastest", streaming[^1].Body["text"]!.GetValue<string>(), StringComparison.Ordinal);

        // The final message ends the stream: streamType final, its id, no sequence; it carries citations, feedback and the AI label.
        Assert.Same(final, received[^1]);
        var end = StreamInfo(final)!;
        Assert.Equal("final", end["streamType"]!.GetValue<string>());
        Assert.Equal(streamId, end["streamId"]!.GetValue<string>());
        Assert.Null(end["streamSequence"]);
        var message = final.Body["entities"]!.AsArray().Single(e => e!["@type"]?.GetValue<string>() == "Message")!;
        Assert.NotEmpty(message["citation"]!.AsArray());
        Assert.Equal("AIGeneratedContent", message["additionalType"]![0]!.GetValue<string>());
        Assert.Equal("default", final.Body["channelData"]!["feedbackLoop"]!["type"]!.GetValue<string>());
        Assert.Contains("[1]", final.Body["text"]!.GetValue<string>(), StringComparison.Ordinal);

        // Once the text shows, the plain typing indicator stops.
        var firstText = received.ToList().IndexOf(streaming[0]);
        Assert.DoesNotContain(received.Skip(firstText), r => r.Type == "typing" && StreamInfo(r) is null);
    }

    [Fact]
    public async Task Message_GroupChat_OnlyTheFinalMessage()
    {
        var conversationId = "a:stream-group-" + Guid.NewGuid().ToString("N");
        var activity = Channel.Activity("message", conversationId, Question);
        activity["conversation"]!["conversationType"] = "groupChat";
        using (var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, Channel.CreateToken(Channel.ServiceUrl)))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var final = await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");

        Assert.DoesNotContain(Channel.ReceivedIn(conversationId), r => StreamInfo(r) is not null);
        Assert.Single(Channel.ReceivedIn(conversationId), r => r.Type == "message");
        Assert.Contains("[1]", final.Body["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_UserStopsTheStream_NoMoreUpdatesAndNoError()
    {
        var conversationId = "a:stream-stop-" + Guid.NewGuid().ToString("N");
        // Teams answers 403 ContentStreamNotAllowed once the user pressed Stop: here, from the second text update on.
        Channel.RefuseStream = body => body["conversation"]?["id"]?.GetValue<string>() == conversationId
            && body["entities"]?.AsArray().Any(e => e?["streamType"]?.GetValue<string>() == "streaming" && e["streamSequence"]!.GetValue<int>() >= 3) == true;
        var question = Channel.Activity("message", conversationId, Question);
        using (var response = await Channel.PostAsync(fixture.Bot.BaseAddress, question, Channel.CreateToken(Channel.ServiceUrl)))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var refused = await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Status == 403);
        await WaitForLogAsync($"Turn {question["id"]}: the channel ended the live stream");
        // The model finishes and the answer is kept in the conversation; the channel is sent nothing more.
        await WaitForLogAsync($"Turn {question["id"]}: answer ");

        var received = Channel.ReceivedIn(conversationId);
        Assert.Same(refused, received[^1]);
        Assert.DoesNotContain(received, r => r.Type == "message");
        Assert.DoesNotContain(fixture.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
    }

    private async Task WaitForLogAsync(string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!fixture.Logs.Lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            await Task.Delay(50, timeout.Token);
    }
}
