using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ChatAdvisor.Tests.Channels.DirectLine;
using ChatAdvisor.Tests.Infrastructure;
using static ChatAdvisor.Tests.Channels.DirectLine.DirectLineHttp;

namespace ChatAdvisor.Tests.Channels.Streaming;

/// <summary>
/// Web Chat livestreaming on the wire of this server's Direct Line: over the WebSocket, typing activities whose
/// channelData carries the stream's type, sequence and id, then the final message; over REST polling, the final
/// message alone.
/// </summary>
public sealed class DirectLineStreamingTests
{
    private const string Question = "Which framework should I use for a high-traffic ML inference API?";

    [Fact]
    public async Task Message_OverTheWebSocket_TypingUpdatesThenTheFinalMessage()
    {
        await using var model = await SlowModel.StartAsync(TimeSpan.FromMilliseconds(150));
        await using var server = await TestServer.StartAsync(SlowModel.Settings(model));
        var grant = await PageTokenAsync(server);
        var started = await (await server.Client.SendAsync(Request(HttpMethod.Post, "/v3/directline/conversations", grant.Token, new { })))
            .Content.ReadFromJsonAsync<JsonObject>();
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await socket.ConnectAsync(new Uri(started!["streamUrl"]!.GetValue<string>()), timeout.Token);

        var posted = await server.Client.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{grant.ConversationId}/activities",
            started["token"]!.GetValue<string>(), new { type = "message", text = Question, from = new { id = "ignored" } }));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var questionId = (await posted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        // Everything the stream sends until the answer.
        var received = new List<JsonObject>();
        JsonObject? final = null;
        while (final is null)
        {
            var frame = await ReceiveAsync(socket, timeout.Token);
            if (frame.Length == 0)
                continue;
            foreach (var activity in JsonNode.Parse(frame)!["activities"]!.AsArray().Select(a => a!.AsObject()))
            {
                received.Add(activity);
                if (activity["type"]!.GetValue<string>() == "message" && activity["replyToId"]?.GetValue<string>() == questionId)
                    final = activity;
            }
        }

        var updates = received.Where(a => a["type"]!.GetValue<string>() == "typing" && a["channelData"]?["streamType"] is not null).ToList();
        Assert.Equal("informative", updates[0]["channelData"]!["streamType"]!.GetValue<string>());
        Assert.Equal(1, updates[0]["channelData"]!["streamSequence"]!.GetValue<int>());
        var streamId = updates[0]["id"]!.GetValue<string>();
        var streaming = updates.Skip(1).ToList();
        Assert.True(streaming.Count >= 2, $"the text is streamed in several updates: {streaming.Count}");
        for (int i = 0; i < streaming.Count; i++)
        {
            var data = streaming[i]["channelData"]!;
            Assert.Equal("streaming", data["streamType"]!.GetValue<string>());
            Assert.Equal(i + 2, data["streamSequence"]!.GetValue<int>());
            Assert.Equal(streamId, data["streamId"]!.GetValue<string>());
            Assert.Equal(questionId, streaming[i]["replyToId"]!.GetValue<string>());
            Assert.Equal("bot", streaming[i]["from"]!["role"]!.GetValue<string>());
            if (i > 0)
                Assert.StartsWith(streaming[i - 1]["text"]!.GetValue<string>(), streaming[i]["text"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.Equal("final", final["channelData"]!["streamType"]!.GetValue<string>());
        Assert.Equal(streamId, final["channelData"]!["streamId"]!.GetValue<string>());
        Assert.Null(final["channelData"]!["streamSequence"]);
        Assert.NotNull(final["channelData"]!["chatAdvisor"]!["answerId"]);
        Assert.Matches(@"\[1\]: cite:1 ", final["text"]!.GetValue<string>());

        // Polling sees the conversation's history: the echo and the final message, never the typing activities.
        var history = await (await server.Client.SendAsync(Request(HttpMethod.Get, $"/v3/directline/conversations/{grant.ConversationId}/activities",
            started["token"]!.GetValue<string>()))).Content.ReadFromJsonAsync<JsonObject>();
        var types = history!["activities"]!.AsArray().Select(a => a!["type"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain("typing", types);
        Assert.Contains(history["activities"]!.AsArray(), a => a!["id"]!.GetValue<string>() == final["id"]!.GetValue<string>());
    }
}
