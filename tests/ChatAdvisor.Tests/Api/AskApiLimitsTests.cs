using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ChatAdvisor.Tests.Infrastructure;
using ChatAdvisor.Tests.Llm;
using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Tests.Api;

/// <summary>The request body cap and the answers to unreadable bodies, the same on every endpoint that takes one.</summary>
public sealed class AskApiLimitsTests : IAsyncLifetime
{
    private readonly CapturingLoggerProvider _logs = new();
    private TestServer _server = null!;

    public static TheoryData<string> CappedPaths =>
    [
        "/api/ask",
        "/api/ask/stream",
        "/api/messages",
        "/api/slack/events",
        "/api/slack/interactions",
        "/v3/directline/conversations/some-conversation/activities",
    ];

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(
        new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" },
        builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(_logs);
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(CappedPaths))]
    public async Task OversizeBody_WithContentLength_Gets413ProblemDetails(string path)
    {
        var body = "{\"question\":\"" + new string('a', 100 * 1024) + "\"}";

        var response = await _server.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [MemberData(nameof(CappedPaths))]
    public async Task OversizeBody_Chunked_Gets413ProblemDetails(string path)
    {
        var body = Encoding.UTF8.GetBytes("{\"question\":\"" + new string('a', 100 * 1024) + "\"}");
        var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "x");

        var response = await _server.Client.SendAsync(request);

        // Direct Line checks the token first; every other endpoint reads the body and is cut off at the cap.
        if (path.StartsWith("/v3/", StringComparison.Ordinal))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        else
            await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task ThirtyMegabyteBody_Gets413NotA500()
    {
        // A raw connection: the answer comes before the body is sent, and HttpClient would report the closed upload instead.
        using var client = new TcpClient();
        await client.ConnectAsync(_server.BaseAddress.Host, _server.BaseAddress.Port);
        var stream = client.GetStream();
        var head = $"POST /api/ask HTTP/1.1\r\nHost: {_server.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: {30 * 1024 * 1024}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(new byte[16 * 1024]);

        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var status = await reader.ReadLineAsync(timeout.Token);

        Assert.Equal("HTTP/1.1 413 Payload Too Large", status);
        AssertNoErrorLogged();
    }

    [Theory]
    [InlineData("/api/ask")]
    [InlineData("/api/messages")]
    [InlineData("/api/slack/events")]
    public async Task TruncatedBody_Gets400AndNoErrorWithAStackTrace(string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_server.BaseAddress.Host, _server.BaseAddress.Port);
        var stream = client.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: {_server.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"question\":\"Which";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        client.Client.Shutdown(SocketShutdown.Send);

        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string answer;
        try
        {
            answer = await reader.ReadToEndAsync(timeout.Token);
        }
        catch (IOException)
        {
            answer = "";
        }

        // The server sees the connection end before the promised body: a 400 if the client is still there to read it.
        if (answer.Length > 0)
        {
            Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
            Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_logs.Messages.Any(m => m.Contains("could not be read", StringComparison.Ordinal) || m.Contains("closed the connection", StringComparison.Ordinal))
               && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Contains(_logs.Messages, m => m.StartsWith("Information", StringComparison.Ordinal)
            && (m.Contains("could not be read", StringComparison.Ordinal) || m.Contains("closed the connection", StringComparison.Ordinal)));
        AssertNoErrorLogged();
    }

    private void AssertNoErrorLogged()
    {
        var errors = _logs.Messages.Where(m => m.StartsWith("Error", StringComparison.Ordinal) || m.StartsWith("Critical", StringComparison.Ordinal)
                                               || m.Contains("   at ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)expected, json.RootElement.GetProperty("status").GetInt32());
    }
}
