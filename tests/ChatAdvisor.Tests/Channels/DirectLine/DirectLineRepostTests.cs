using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ChatAdvisor.Channels;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

using static ChatAdvisor.Tests.Channels.DirectLine.DirectLineHttp;

namespace ChatAdvisor.Tests.Channels.DirectLine;

/// <summary>
/// A client that lost the response to its post (the network dropped) posts the same activity again, with the same
/// <c>channelData.clientActivityID</c>: the question must be stored, echoed and answered once.
/// </summary>
public sealed class DirectLineRepostTests
{
    [Fact]
    public async Task PostActivity_SameClientActivityIdTwice_IsStoredAndAnsweredOnce()
    {
        await using var server = await TestServer.StartAsync();
        var grant = await PageTokenAsync(server);
        var started = await server.Client.SendAsync(Request(HttpMethod.Post, "/v3/directline/conversations", grant.Token, new { }));
        var token = (await started.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        var path = $"/v3/directline/conversations/{grant.ConversationId}/activities";
        var question = new { type = "message", text = "What are the pros and cons of Flask?", channelData = new { clientActivityID = "client-7" } };

        var first = await server.Client.SendAsync(Request(HttpMethod.Post, path, token, question));
        var second = await server.Client.SendAsync(Request(HttpMethod.Post, path, token, question));
        var other = await server.Client.SendAsync(Request(HttpMethod.Post, path, token,
            new { type = "message", text = "What are the pros and cons of Flask?", channelData = new { clientActivityID = "client-8" } }));

        var firstId = (await first.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var secondId = (await second.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var otherId = (await other.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.Equal(firstId, secondId);
        Assert.NotEqual(firstId, otherId);

        // The answers come from the channels' one work queue: wait until it has done everything it accepted.
        var queue = server.Services.GetRequiredService<TurnQueue>();
        for (var waited = 0; queue.Pending > 0 && waited < 600; waited++)
            await Task.Delay(100);
        var set = await server.Client.SendAsync(Request(HttpMethod.Get, path + "?watermark=", token));
        var activities = (await set.Content.ReadFromJsonAsync<JsonObject>())!["activities"]!.AsArray();
        Assert.Single(activities, a => a!["channelData"]?["clientActivityID"]?.GetValue<string>() == "client-7");
        Assert.Single(activities, a => a!["replyToId"]?.GetValue<string>() == firstId);
        Assert.Single(activities, a => a!["replyToId"]?.GetValue<string>() == otherId);
    }
}
