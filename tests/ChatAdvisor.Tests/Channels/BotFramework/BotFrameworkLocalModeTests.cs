using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>Without an App ID: closed unless local mode is on, and then only this machine and the listed service URLs.</summary>
public sealed class BotFrameworkLocalModeTests
{
    private static StringContent Json(object activity) => new(JsonSerializer.Serialize(activity), Encoding.UTF8, "application/json");

    private static object Message(string id, string? serviceUrl, string? deliveryMode = null) => new
    {
        type = "message",
        id,
        channelId = "emulator",
        serviceUrl,
        deliveryMode,
        conversation = new { id = "c-local" },
        from = new { id = "u1" },
        recipient = new { id = "bot" },
        text = "Which framework is best for beginners?",
    };

    [Fact]
    public async Task NoAppId_LocalModeOff_RefusesEvenAForwardedLoopbackCaller()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["BotFramework:LocalMode"] = "false" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = Json(Message("a1", null, "expectReplies")) };
        request.Headers.Add("X-Forwarded-For", "127.0.0.1");

        var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("\"type\":\"message\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalMode_ForwardedRequest_IsNotLocal()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["BotFramework:LocalMode"] = "true" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = Json(Message("a1", null, "expectReplies")) };
        request.Headers.Add("X-Forwarded-For", "127.0.0.1");

        var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("CF-Connecting-IP")]
    [InlineData("True-Client-IP")]
    [InlineData("X-Client-IP")]
    public async Task LocalMode_RequestWithAClientAddressHeader_IsNotLocal(string header)
    {
        // A CDN tunnel or proxy on this machine connects from loopback and names the real client in one of these.
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["BotFramework:LocalMode"] = "true" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = Json(Message("a1", null, "expectReplies")) };
        request.Headers.Add(header, "203.0.113.7");

        var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("\"type\":\"message\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalMode_UnlistedLoopbackServiceUrl_GetsNoPost_ListedOneGetsTheReply()
    {
        await using var listed = await RecordingListener.StartAsync();
        await using var unlisted = await RecordingListener.StartAsync();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["BotFramework:LocalMode"] = "true",
            ["BotFramework:LocalServiceUrls:0"] = listed.Address,
        });

        var refused = await server.Client.PostAsync("/api/messages", Json(Message("a-unlisted", unlisted.Address)));
        var accepted = await server.Client.PostAsync("/api/messages", Json(Message("a-listed", listed.Address)));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!listed.Paths.Any(p => p.EndsWith("/activities/a-listed", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Contains(listed.Paths, p => p.EndsWith("/activities/a-listed", StringComparison.Ordinal));
        Assert.Empty(unlisted.Paths);
    }

    [Fact]
    public async Task ActivityIdWithLineBreaks_IsLoggedWithoutThem()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string?> { ["BotFramework:LocalMode"] = "true", ["Logging:LogLevel:Default"] = "Trace" },
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(logs);
            });

        var response = await server.Client.PostAsync("/api/messages", Json(Message("a1\r\nCritical Forged: line", null, "expectReplies")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var mentions = logs.Lines.Where(l => l.Contains("Forged", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(mentions);
        Assert.All(mentions, l => Assert.DoesNotContain("\n", l.Split(" [")[0], StringComparison.Ordinal));
        Assert.All(mentions, l => Assert.DoesNotContain("\r", l.Split(" [")[0], StringComparison.Ordinal));
    }

    /// <summary>A loopback listener that records every request path it gets and answers like a Connector.</summary>
    private sealed class RecordingListener : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<string> _paths;

        private RecordingListener(WebApplication app, ConcurrentQueue<string> paths)
        {
            _app = app;
            _paths = paths;
            Address = LoopbackApp.Address(app);
        }

        public string Address { get; }

        public IReadOnlyList<string> Paths => [.. _paths];

        public static async Task<RecordingListener> StartAsync()
        {
            var paths = new ConcurrentQueue<string>();
            var app = LoopbackApp.CreateBuilder().Build();
            app.Run(async context =>
            {
                paths.Enqueue(context.Request.Path.Value ?? "");
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(new JsonObject { ["id"] = "r-" + paths.Count }.ToJsonString());
            });
            await app.StartAsync();
            return new RecordingListener(app, paths);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
