using System.Text.Json.Nodes;
using ChatAdvisor.Channels.DirectLine;
using ChatAdvisor.Storage;

namespace ChatAdvisor.Tests.Channels.DirectLine;

public sealed class DirectLineConversationsTests
{
    private static async Task<DirectLineConversations> CreateAsync(TimeProvider time, int maxActivities = 500)
    {
        var conversations = new DirectLineConversations(new InMemoryDirectLineLog(time, maxActivities));
        await conversations.Log.GetOrCreateAsync("dl-1", "dl_user");
        return conversations;
    }

    private static JsonObject Message(string text) => new() { ["type"] = "message", ["text"] = text };

    private static async Task<List<JsonNode>> ReadAsync(DirectLineSubscription subscription, int count)
    {
        var activities = new List<JsonNode>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (activities.Count < count && await subscription.Reader.WaitToReadAsync(timeout.Token))
        {
            while (subscription.Reader.TryRead(out var frame))
                activities.AddRange(JsonNode.Parse(frame)!["activities"]!.AsArray().Select(a => a!));
        }
        return activities;
    }

    [Fact]
    public async Task Subscribe_WhileOthersAppend_SeesEveryActivityOnceAndInOrder()
    {
        var conversations = await CreateAsync(TimeProvider.System);
        for (int i = 0; i < 50; i++)
            await conversations.AppendAsync("dl-1", Message("before " + i));

        using var subscription = conversations.Subscribe("dl-1", watermark: "19");
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 50; i++)
                await conversations.AppendAsync("dl-1", Message($"writer {w} message {i}"));
        })).ToArray();
        await Task.WhenAll(writers);

        var activities = await ReadAsync(subscription, 30 + 200);
        var sequences = activities.Select(a => int.Parse(a["id"]!.GetValue<string>().Split('|')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(20, 230), sequences);
    }

    [Fact]
    public async Task Subscribe_FramesCarryOneActivityAndItsWatermark_AndSignalsTheLatestWatermark()
    {
        var conversations = await CreateAsync(TimeProvider.System);
        await conversations.AppendAsync("dl-1", Message("first"));
        using var subscription = conversations.Subscribe("dl-1", watermark: null);
        Assert.Single(await ReadAsync(subscription, 1));

        var typingId = await conversations.SignalAsync("dl-1", new JsonObject { ["type"] = "typing" });
        Assert.True(await subscription.Reader.WaitToReadAsync());
        Assert.True(subscription.Reader.TryRead(out var frame));

        var set = JsonNode.Parse(frame)!;
        Assert.Equal("0", set["watermark"]!.GetValue<string>());
        Assert.Equal(typingId, set["activities"]![0]!["id"]!.GetValue<string>());
        Assert.StartsWith("dl-1|t", typingId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_ASecondStream_CollidesWithTheFirst()
    {
        var conversations = await CreateAsync(TimeProvider.System);
        using var first = conversations.Subscribe("dl-1", watermark: null);
        Assert.True(conversations.CanStream("dl-1"));

        using (var second = conversations.Subscribe("dl-1", watermark: null))
        {
            Assert.True(first.Collision.IsCancellationRequested);
            Assert.False(second.Collision.IsCancellationRequested);
        }
        first.Dispose();

        Assert.False(conversations.CanStream("dl-1"));
    }

    [Fact]
    public async Task Append_SameMillisecond_TimestampsStillIncrease()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var conversations = await CreateAsync(time);

        var first = Message("a");
        var second = Message("b");
        await conversations.AppendAsync("dl-1", first);
        await conversations.AppendAsync("dl-1", second);

        Assert.True(DateTimeOffset.Parse(second["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
                    > DateTimeOffset.Parse(first["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task GetActivitySet_BeyondTheHistoryLimit_ReplaysTheMostRecent()
    {
        var conversations = await CreateAsync(TimeProvider.System, maxActivities: 10);
        for (int i = 0; i < 25; i++)
            await conversations.AppendAsync("dl-1", Message("m" + i));

        var set = JsonNode.Parse(await conversations.GetActivitySetAsync("dl-1", watermark: null))!;

        Assert.Equal(Enumerable.Range(15, 10).Select(i => "m" + i), set["activities"]!.AsArray().Select(a => a!["text"]!.GetValue<string>()));
        Assert.Equal("24", set["watermark"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetActivitySet_AfterTheLatest_IsEmptyWithTheSameWatermark()
    {
        var conversations = await CreateAsync(TimeProvider.System);
        Assert.Equal("{\"activities\":[],\"watermark\":null}", await conversations.GetActivitySetAsync("dl-1", watermark: null));
        await conversations.AppendAsync("dl-1", Message("m"));

        Assert.Equal("{\"activities\":[],\"watermark\":\"0\"}", await conversations.GetActivitySetAsync("dl-1", watermark: "0"));
    }
}
