using ChatAdvisor.Tests.Channels.Slack;
using ChatAdvisor.Tests.Llm;
using static ChatAdvisor.Tests.Channels.Slack.SlackHarness;

namespace ChatAdvisor.Tests.Channels.Streaming;

/// <summary>
/// Slack streaming against the fake Web API: the assistant status while searching, then chat.startStream /
/// appendStream / stopStream where the workspace offers them, else one message edited with chat.update, at most once
/// a second; either way the finished answer with its sources replaces the streamed text.
/// </summary>
public sealed class SlackStreamingTests : IAsyncLifetime
{
    private const string Question = "Which framework should I use for a high-traffic ML inference API?";
    private StubOpenAIServer _model = null!;

    public async Task InitializeAsync() => _model = await SlowModel.StartAsync(TimeSpan.FromMilliseconds(150));

    public async Task DisposeAsync() => await _model.DisposeAsync();

    [Fact]
    public async Task Mention_WorkspaceStreams_StartAppendStopThenTheFinishedAnswer()
    {
        await using var harness = await StartAsync(settings: SlowModel.Settings(_model));
        const string ts = "1763700200.000100";

        await harness.PostEventAsync(Mention(harness.NewEventId(), ts, Question));
        await harness.WaitUntilAnsweredAsync();

        var calls = harness.Slack.Calls;
        Assert.Equal("assistant.threads.setStatus", calls[0].Method);
        Assert.Equal(ts, calls[0].Body["thread_ts"]!.GetValue<string>());
        Assert.Equal("Searching the articles…", calls[0].Body["status"]!.GetValue<string>());

        var start = Assert.Single(calls, c => c.Method == "chat.startStream");
        Assert.Equal(ts, start.ThreadTs);
        Assert.Equal(Team, start.Body["recipient_team_id"]!.GetValue<string>());
        Assert.Equal(User, start.Body["recipient_user_id"]!.GetValue<string>());
        var appends = calls.Where(c => c.Method == "chat.appendStream").ToList();
        Assert.NotEmpty(appends);
        // appendStream adds to what is shown: the pieces put together are the text written so far.
        var streamed = start.Body["markdown_text"]!.GetValue<string>() + string.Concat(appends.Select(a => a.Body["markdown_text"]!.GetValue<string>()));
        Assert.StartsWith(streamed, SlowModel.Answer, StringComparison.Ordinal);
        var paced = new[] { start }.Concat(appends).ToList();
        for (int i = 1; i < paced.Count; i++)
            Assert.True(paced[i].At - paced[i - 1].At >= TimeSpan.FromMilliseconds(900), $"stream calls {i} and {i + 1} came {(paced[i].At - paced[i - 1].At).TotalMilliseconds:F0} ms apart");

        var methods = calls.Select(c => c.Method).ToList();
        var stop = methods.IndexOf("chat.stopStream");
        Assert.True(stop > methods.LastIndexOf("chat.appendStream"), string.Join(", ", methods));
        // The finished answer, with its sources and buttons, replaces the streamed text in the same message.
        var final = calls[^1];
        Assert.Equal("chat.update", final.Method);
        Assert.Equal(stop + 1, methods.Count - 1);
        Assert.NotEmpty(final.BlockTexts("context"));
        Assert.DoesNotContain(calls, c => c.Method == "chat.postMessage");
    }

    [Fact]
    public async Task Mention_WorkspaceWithoutStreaming_OneMessageEditedAtMostOnceASecond()
    {
        await using var harness = await StartAsync(settings: SlowModel.Settings(_model));
        harness.Slack.Unsupported["chat.startStream"] = true;

        await harness.PostEventAsync(Mention(harness.NewEventId(), "1763700200.000200", Question));
        await harness.WaitUntilAnsweredAsync();

        var calls = harness.Slack.Calls.Where(c => c.Method is "chat.postMessage" or "chat.update").ToList();
        Assert.Equal("chat.postMessage", calls[0].Method);
        Assert.True(calls.Count >= 3, string.Join(", ", calls.Select(c => c.Method)));
        Assert.All(calls.Skip(1), c => Assert.Equal("chat.update", c.Method));
        Assert.Single(harness.Slack.Calls, c => c.Method == "chat.postMessage");
        for (int i = 1; i < calls.Count - 1; i++)
            Assert.True(calls[i].At - calls[i - 1].At >= TimeSpan.FromMilliseconds(900), $"edits {i} and {i + 1} came {(calls[i].At - calls[i - 1].At).TotalMilliseconds:F0} ms apart");
        // The message grows as the model writes: each edit holds more of the answer.
        Assert.StartsWith(calls[0].Text, SlowModel.Answer, StringComparison.Ordinal);
        for (int i = 1; i < calls.Count - 1; i++)
            Assert.StartsWith(calls[i - 1].Text, calls[i].Text, StringComparison.Ordinal);
        Assert.NotEmpty(calls[^1].BlockTexts("context"));
    }
}
