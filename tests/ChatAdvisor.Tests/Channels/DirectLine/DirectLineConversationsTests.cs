using System.Text.Json.Nodes;
using ChatAdvisor.Channels.DirectLine;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Tests.Channels.DirectLine;

public sealed class DirectLineConversationsTests
{
    private static DirectLineConversations Create(TimeProvider time, int maxConversations = 100, int maxActivities = 500)
        => new(Options.Create(new DirectLineOptions { MaxConversations = maxConversations, MaxActivitiesPerConversation = maxActivities, ConversationIdleMinutes = 60 }), time);

    [Fact]
    public async Task Subscribe_WhileOthersAppend_SeesEveryActivityOnceAndInOrder()
    {
        var conversation = Create(TimeProvider.System).GetOrCreate("dl-1", "dl_user", out _)!;
        for (int i = 0; i < 50; i++)
            conversation.Append(new JsonObject { ["type"] = "message", ["text"] = "before " + i });

        using var subscription = conversation.Subscribe(watermark: "19");
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < 50; i++)
                conversation.Append(new JsonObject { ["type"] = "message", ["text"] = $"writer {w} message {i}" });
        })).ToArray();
        await Task.WhenAll(writers);

        var ids = new List<string>();
        while (ids.Count < 30 + 200 && await subscription.Reader.WaitToReadAsync())
        {
            while (subscription.Reader.TryRead(out var frame))
                ids.AddRange(JsonNode.Parse(frame)!["activities"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()));
        }

        var sequences = ids.Select(id => int.Parse(id.Split('|')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(20, 230), sequences);
    }

    [Fact]
    public void Append_SameMillisecond_TimestampsStillIncrease()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var conversation = Create(time).GetOrCreate("dl-1", "dl_user", out _)!;

        var first = new JsonObject { ["type"] = "message" };
        var second = new JsonObject { ["type"] = "message" };
        conversation.Append(first);
        conversation.Append(second);

        Assert.True(DateTimeOffset.Parse(second["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
                    > DateTimeOffset.Parse(first["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void GetOrCreate_AtCapacity_DropsTheLeastRecentlyUsed()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var conversations = Create(time, maxConversations: 2);
        conversations.GetOrCreate("dl-old", "dl_a", out _);
        time.Advance(TimeSpan.FromSeconds(1));
        conversations.GetOrCreate("dl-recent", "dl_b", out _);
        time.Advance(TimeSpan.FromSeconds(1));

        conversations.GetOrCreate("dl-new", "dl_c", out bool created);

        Assert.True(created);
        Assert.Null(conversations.Get("dl-old"));
        Assert.NotNull(conversations.Get("dl-recent"));
        Assert.Equal(2, conversations.Count);
    }

    [Fact]
    public void Get_AfterTheIdleTimeout_ReportsTheConversationEnded()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var conversations = Create(time);
        conversations.GetOrCreate("dl-1", "dl_user", out _);

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(conversations.Get("dl-1"));
        time.Advance(TimeSpan.FromMinutes(61));
        Assert.Null(conversations.Get("dl-1"));
    }

    [Fact]
    public void GetOrCreate_ExistingConversationOfAnotherUser_IsRefused()
    {
        var conversations = Create(TimeProvider.System);
        conversations.GetOrCreate("dl-1", "dl_alice", out _);

        Assert.Null(conversations.GetOrCreate("dl-1", "dl_mallory", out bool created));
        Assert.False(created);
    }

    [Fact]
    public void GetActivitySet_BeyondTheHistoryLimit_ReplaysTheMostRecent()
    {
        var conversation = Create(TimeProvider.System, maxActivities: 10).GetOrCreate("dl-1", "dl_user", out _)!;
        for (int i = 0; i < 25; i++)
            conversation.Append(new JsonObject { ["type"] = "message", ["text"] = "m" + i });

        var set = JsonNode.Parse(conversation.GetActivitySet(watermark: null))!;

        Assert.Equal(Enumerable.Range(15, 10).Select(i => "m" + i), set["activities"]!.AsArray().Select(a => a!["text"]!.GetValue<string>()));
        Assert.Equal("24", set["watermark"]!.GetValue<string>());
    }
}
