using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatAdvisor.Tests.Infrastructure;

using static ChatAdvisor.Tests.Channels.DirectLine.DirectLineHttp;

namespace ChatAdvisor.Tests.Channels.DirectLine;

/// <summary>Unreadable messages, the anonymous token with a secret, the stream address and stream collisions.</summary>
public sealed class DirectLineHardeningTests
{
    private static async Task<JsonObject> StartAsync(TestServer server, Grant grant, string? host = null)
    {
        using var request = Request(HttpMethod.Post, "/v3/directline/conversations", grant.Token, new StringContent("{}", Encoding.UTF8, "application/json"));
        if (host is not null)
            request.Headers.Host = host;
        var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<List<JsonNode>> BotMessagesAsync(TestServer server, Grant grant, string token, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var set = await (await server.Client.SendAsync(Request(HttpMethod.Get, $"/v3/directline/conversations/{grant.ConversationId}/activities", token)))
                .Content.ReadFromJsonAsync<JsonObject>();
            var messages = set!["activities"]!.AsArray()
                .Where(a => a!["from"]?["role"]?.GetValue<string>() == "bot" && a["type"]?.GetValue<string>() == "message")
                .Select(a => a!).ToList();
            if (messages.Count >= atLeast || DateTime.UtcNow > deadline)
                return messages;
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData("{\"type\":\"message\",\"text\":42}")]
    [InlineData("{\"type\":\"message\",\"text\":\"   \"}")]
    [InlineData("{\"type\":\"message\",\"text\":\"\\ud800\"}")]
    [InlineData("{\"type\":\"message\",\"text\":\"caf\\u00e9 INVALID\"}")]
    public async Task UnusableText_GetsAnErrorActivity(string body)
    {
        await using var server = await TestServer.StartAsync();
        var grant = await PageTokenAsync(server);
        var token = (await StartAsync(server, grant))["token"]!.GetValue<string>();
        var welcome = (await BotMessagesAsync(server, grant, token, 1)).Count;
        var bytes = Encoding.UTF8.GetBytes(body);
        if (body.Contains("INVALID", StringComparison.Ordinal))
            bytes = [.. Encoding.ASCII.GetBytes("{\"type\":\"message\",\"text\":\"caf"), 0xC3, 0x28, .. Encoding.ASCII.GetBytes("\"}")];
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await server.Client.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{grant.ConversationId}/activities", token, content));

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, response.StatusCode.ToString());
        var messages = await BotMessagesAsync(server, grant, token, welcome + 1);
        Assert.True(messages.Count > welcome, "an error activity follows the unusable message");
        var text = messages[^1]["text"]!.GetValue<string>();
        Assert.True(text.Contains("could not be read", StringComparison.Ordinal) || text.Contains("empty", StringComparison.Ordinal), text);
    }

    [Fact]
    public async Task PostedConversationUpdate_DoesNotMakeTheBotWelcomeAgain()
    {
        await using var server = await TestServer.StartAsync();
        var grant = await PageTokenAsync(server);
        var token = (await StartAsync(server, grant))["token"]!.GetValue<string>();
        Assert.Single(await BotMessagesAsync(server, grant, token, 1));

        var posted = await server.Client.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{grant.ConversationId}/activities", token,
            new { type = "conversationUpdate", membersAdded = new[] { new { id = "someone" } } }));
        posted.EnsureSuccessStatusCode();
        var question = await server.Client.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{grant.ConversationId}/activities", token,
            new { type = "message", text = "Who created Flask?" }));
        question.EnsureSuccessStatusCode();

        // The answer to the question comes after the one welcome; the posted update was kept but not acted on.
        var messages = await BotMessagesAsync(server, grant, token, 2);
        Assert.Equal(2, messages.Count);
        Assert.StartsWith("Hello!", messages[0]["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("Hello!", messages[1]["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithSecret_AnonymousPageToken_Is401()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["DirectLine:Secret"] = "s3cret-value" });

        var response = await server.Client.PostAsync("/api/directline/token", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task StreamUrl_ComesFromThePublicBaseUrl_NotAForgedHost()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["DirectLine:PublicBaseUrl"] = "https://chat.example.com/advisor" });
        var grant = await PageTokenAsync(server);

        var started = await StartAsync(server, grant, host: "attacker.example");

        var streamUrl = started["streamUrl"]!.GetValue<string>();
        Assert.StartsWith("wss://chat.example.com/advisor/v3/directline/conversations/", streamUrl, StringComparison.Ordinal);
        Assert.DoesNotContain("attacker", streamUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamUrl_WithoutPublicBaseUrl_RefusesAHostOutsideAllowedHosts()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["AllowedHosts"] = "127.0.0.1;localhost" });
        var grant = await PageTokenAsync(server);
        using var request = Request(HttpMethod.Post, "/v3/directline/conversations", grant.Token, new StringContent("{}", Encoding.UTF8, "application/json"));
        request.Headers.Host = "attacker.example";

        var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("attacker", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondStream_ClosesTheFirstWithACollision()
    {
        await using var server = await TestServer.StartAsync();
        var grant = await PageTokenAsync(server);
        var started = await StartAsync(server, grant);
        var streamUrl = new Uri(started["streamUrl"]!.GetValue<string>());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var first = new ClientWebSocket();
        await first.ConnectAsync(streamUrl, timeout.Token);
        var closed = DrainUntilClosedAsync(first, timeout.Token);

        using var second = new ClientWebSocket();
        await second.ConnectAsync(streamUrl, timeout.Token);

        await closed;
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, first.CloseStatus);
        Assert.Equal("collision", first.CloseStatusDescription);
        Assert.Equal(WebSocketState.Open, second.State);
    }

    private static async Task DrainUntilClosedAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
                return;
        }
    }
}
