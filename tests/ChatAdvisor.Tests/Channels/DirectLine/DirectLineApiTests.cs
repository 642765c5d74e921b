using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Channels.DirectLine;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

using static ChatAdvisor.Tests.Channels.DirectLine.DirectLineHttp;

namespace ChatAdvisor.Tests.Channels.DirectLine;

public sealed class DirectLineApiTests
{
    private static async Task<JsonObject> StartAsync(TestServer server, Grant grant)
    {
        var response = await server.Client.SendAsync(Request(HttpMethod.Post, "/v3/directline/conversations", grant.Token, new { }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task StartConversation_WithPageToken_ReturnsTokenAndAbsoluteStreamUrl()
    {
        await using var server = await TestServer.StartAsync();
        var grant = await PageTokenAsync(server);

        var started = await StartAsync(server, grant);

        Assert.Equal(grant.ConversationId, started["conversationId"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(started["token"]!.GetValue<string>()));
        var streamUrl = new Uri(started["streamUrl"]!.GetValue<string>());
        Assert.Equal("ws", streamUrl.Scheme);
        Assert.Equal(server.BaseAddress.Authority, streamUrl.Authority);
        Assert.StartsWith("t=", streamUrl.Query.TrimStart('?'), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Routes_WithoutToken_Return401()
    {
        await using var server = await TestServer.StartAsync();

        var response = await server.Client.SendAsync(Request(HttpMethod.Post, "/v3/directline/conversations", token: null, new { }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Activities_WithExpiredToken_Return403()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(time));
        var grant = await PageTokenAsync(server);
        var started = await StartAsync(server, grant);
        var token = started["token"]!.GetValue<string>();

        time.Advance(TimeSpan.FromMinutes(31));
        var response = await server.Client.SendAsync(Request(HttpMethod.Get, $"/v3/directline/conversations/{grant.ConversationId}/activities?watermark=", token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Activities_OfAnotherConversation_Return403WithoutItsData()
    {
        await using var server = await TestServer.StartAsync();
        var alice = await PageTokenAsync(server);
        await StartAsync(server, alice);
        await server.Client.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{alice.ConversationId}/activities", alice.Token,
            new { type = "message", text = "alice's private question" }));
        var bob = await PageTokenAsync(server);
        await StartAsync(server, bob);

        var response = await server.Client.SendAsync(Request(HttpMethod.Get, $"/v3/directline/conversations/{alice.ConversationId}/activities?watermark=", bob.Token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("alice's private question", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostActivity_EchoesTheActivityWithItsIdAndTheTokensUser()
    {
        await using var server = await TestServer.StartAsync();
        var grant = await PageTokenAsync(server);
        var started = await StartAsync(server, grant);
        var token = started["token"]!.GetValue<string>();

        var posted = await server.Client.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{grant.ConversationId}/activities", token,
            new { type = "message", text = "Which is faster?", from = new { id = "someone-else" }, channelData = new { clientActivityID = "client-1" } }));
        posted.EnsureSuccessStatusCode();
        var id = (await posted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        var set = await server.Client.SendAsync(Request(HttpMethod.Get, $"/v3/directline/conversations/{grant.ConversationId}/activities?watermark=", token));
        var activities = (await set.Content.ReadFromJsonAsync<JsonObject>())!["activities"]!.AsArray();
        var echo = activities.Single(a => a!["id"]!.GetValue<string>() == id)!;
        Assert.Equal("client-1", echo["channelData"]!["clientActivityID"]!.GetValue<string>());
        Assert.StartsWith("dl_", echo["from"]!["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Which is faster?", echo["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task FeedbackEvent_FromTheLikeButton_IsRecordedForTheRatedAnswer()
    {
        await using var server = await TestServer.StartAsync();
        var grant = await PageTokenAsync(server);
        var token = (await StartAsync(server, grant))["token"]!.GetValue<string>();
        var reply = await AskAsync(server, grant.ConversationId, token, "Which framework should I use for a high-traffic ML inference API?");
        var answerId = reply["channelData"]!["chatAdvisor"]!["answerId"]!.GetValue<string>();
        var like = reply["entities"]![0]!["potentialAction"]!.AsArray().Single(a => a!["@type"]!.GetValue<string>() == "LikeAction")!;

        // What Web Chat posts when the thumb is clicked.
        var posted = await server.Client.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{grant.ConversationId}/activities", token,
            new JsonObject { ["type"] = "event", ["name"] = AnswerActivities.FeedbackEventName, ["entities"] = new JsonArray(like.DeepClone()) }));
        posted.EnsureSuccessStatusCode();

        var store = server.Services.GetRequiredService<IConversationStore>();
        IReadOnlyList<(bool Positive, string? Comment, string Channel, string Question, string AnswerText)> feedback = [];
        for (int attempt = 0; attempt < 100 && feedback.Count == 0; attempt++)
        {
            await Task.Delay(100);
            feedback = await store.GetFeedbackAsync(answerId);
        }
        var recorded = Assert.Single(feedback);
        Assert.True(recorded.Positive);
        Assert.Equal("webchat", recorded.Channel);
    }

    [Fact]
    public async Task FollowUp_InTheSameConversation_KeepsTheContext()
    {
        await using var server = await TestServer.StartAsync();
        var grant = await PageTokenAsync(server);
        var token = (await StartAsync(server, grant))["token"]!.GetValue<string>();

        var first = await AskAsync(server, grant.ConversationId, token, "Which framework should I use for a high-traffic ML inference API?");
        var second = await AskAsync(server, grant.ConversationId, token, "And what are its disadvantages?");

        Assert.Contains("FastAPI", first["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("FastAPI", second["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>Posts a question and polls until its answer arrives.</summary>
    private static async Task<JsonObject> AskAsync(TestServer server, string conversationId, string token, string question)
    {
        var posted = await server.Client.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token,
            new { type = "message", text = question }));
        posted.EnsureSuccessStatusCode();
        var id = (await posted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        for (int attempt = 0; attempt < 300; attempt++)
        {
            var set = await server.Client.SendAsync(Request(HttpMethod.Get, $"/v3/directline/conversations/{conversationId}/activities?watermark=", token));
            var reply = (await set.Content.ReadFromJsonAsync<JsonObject>())!["activities"]!.AsArray()
                .FirstOrDefault(a => a!["replyToId"]?.GetValue<string>() == id && a["type"]!.GetValue<string>() == "message");
            if (reply is not null)
                return reply.AsObject();
            await Task.Delay(100);
        }
        throw new TimeoutException("no answer to " + question);
    }

    [Fact]
    public async Task Stream_ReplaysAfterWatermarkAndSendsHeartbeats()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["DirectLine:HeartbeatSeconds"] = "1" });
        var grant = await PageTokenAsync(server);
        var started = await StartAsync(server, grant);
        var token = started["token"]!.GetValue<string>();
        var posted = await server.Client.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{grant.ConversationId}/activities", token,
            new { type = "event", name = "ping" }));
        var id = (await posted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var watermarkBefore = int.Parse(id.Split('|')[1], System.Globalization.CultureInfo.InvariantCulture) - 1;

        var resumed = await server.Client.SendAsync(Request(HttpMethod.Get, $"/v3/directline/conversations/{grant.ConversationId}?watermark={watermarkBefore}", token));
        var streamUrl = (await resumed.Content.ReadFromJsonAsync<JsonObject>())!["streamUrl"]!.GetValue<string>();
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new Uri(streamUrl), timeout.Token);

        var first = await ReceiveAsync(socket, timeout.Token);
        var replayed = JsonNode.Parse(first)!["activities"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(id, replayed[0]);
        string frame;
        do
        {
            frame = await ReceiveAsync(socket, timeout.Token);
        }
        while (frame.Length > 0);
        Assert.Equal("", frame);
    }

    [Fact]
    public async Task Stream_WithAnotherConversationsStreamToken_IsRefused()
    {
        await using var server = await TestServer.StartAsync();
        var alice = await PageTokenAsync(server);
        await StartAsync(server, alice);
        var bob = await PageTokenAsync(server);
        var bobStream = new Uri((await StartAsync(server, bob))["streamUrl"]!.GetValue<string>());

        var aliceStreamWithBobsToken = new Uri(bobStream.ToString().Replace(bob.ConversationId, alice.ConversationId, StringComparison.Ordinal));
        using var socket = new ClientWebSocket();
        var error = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(aliceStreamWithBobsToken, CancellationToken.None));

        Assert.Contains("403", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateToken_WithoutConfiguredSecret_IsRefused()
    {
        await using var server = await TestServer.StartAsync();

        var response = await server.Client.SendAsync(Request(HttpMethod.Post, "/v3/directline/tokens/generate", "anything"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task GenerateToken_WithSecret_IssuesTokenForTheRequestedUser()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["DirectLine:Secret"] = "s3cret-value" });

        var wrong = await server.Client.SendAsync(Request(HttpMethod.Post, "/v3/directline/tokens/generate", "s3cret-valuf"));
        var right = await server.Client.SendAsync(Request(HttpMethod.Post, "/v3/directline/tokens/generate", "s3cret-value", new { user = new { id = "alice" } }));

        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        var body = await right.Content.ReadAsStringAsync();
        Assert.DoesNotContain("s3cret-value", body, StringComparison.Ordinal);
        var token = JsonNode.Parse(body)!["token"]!.GetValue<string>();
        var grant = server.Services.GetRequiredService<DirectLineTokens>().Validate(token);
        Assert.Equal("dl_alice", grant!.UserId);
    }

    [Fact]
    public async Task SigningKey_Generated_SurvivesARestart()
    {
        var storage = Path.Combine(Path.GetTempPath(), "chatadvisor-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            Grant grant;
            await using (var first = await TestServer.StartAsync(storagePath: storage))
                grant = await PageTokenAsync(first);

            await using var second = await TestServer.StartAsync(storagePath: storage);
            var refreshed = await second.Client.SendAsync(Request(HttpMethod.Post, "/v3/directline/tokens/refresh", grant.Token));

            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
            Assert.True(File.Exists(Path.Combine(storage, DirectLineSigningKey.FileName)));
        }
        finally
        {
            if (Directory.Exists(storage))
                Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task Preflight_FromAnotherOrigin_AllowsTheDirectLineHeaders()
    {
        await using var server = await TestServer.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Options, "/v3/directline/conversations");
        request.Headers.Add("Origin", "https://chat.example.com");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,x-ms-bot-agent");

        var response = await server.Client.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("https://chat.example.com", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var allowed = response.Headers.GetValues("Access-Control-Allow-Headers").Single();
        foreach (var header in new[] { "Authorization", "Content-Type", "Accept", "x-ms-bot-agent" })
            Assert.Contains(header, allowed, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task HomePage_ServesThePageAndTheWidgetBundle()
    {
        await using var server = await TestServer.StartAsync();

        var page = await server.Client.GetStringAsync("/");
        var bundle = await server.Client.GetAsync("/lib/webchat.js");

        Assert.Contains("<title>ChatAdvisor", page, StringComparison.Ordinal);
        Assert.Contains("lib/webchat.js", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.True(bundle.Content.Headers.ContentLength > 1_000_000, "the Web Chat bundle is served whole");
    }
}
