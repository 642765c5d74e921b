using ChatAdvisor.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Tests.Llm;

/// <summary>A request the stub received.</summary>
public sealed record StubRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    private JsonNode? _json;

    /// <summary>The body as JSON.</summary>
    public JsonNode Json => _json ??= JsonNode.Parse(Body)!;

    /// <summary>True when the request asked for a streamed reply.</summary>
    public bool Stream => Json["stream"]?.GetValue<bool>() == true;

    /// <summary>The messages' contents joined, as the model would read them.</summary>
    public string Prompt => string.Join("\n---\n", Json["messages"]!.AsArray().Select(m => m!["content"]!.ToString()));

    /// <summary>The role and content of each message.</summary>
    public IReadOnlyList<(string Role, string Content)> Messages =>
        [.. Json["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.ToString()))];

    /// <summary>Which of the advisor's prompts this is: rewrite, suggestions or answer.</summary>
    public string Purpose => Prompt.Contains("standalone search query", StringComparison.Ordinal) ? "rewrite"
        : Prompt.Contains("follow-up questions the developer might ask", StringComparison.Ordinal) ? "suggestions"
        : "answer";
}

/// <summary>What the stub does with a request.</summary>
public abstract record StubReply
{
    /// <summary>
    /// A normal completion with <paramref name="Content"/>, streamed in <paramref name="ChunkLength"/>-character pieces
    /// when asked to stream, <paramref name="ChunkDelay"/> apart (a model that writes slowly).
    /// </summary>
    public sealed record Text(string Content, int ChunkLength = 4, TimeSpan ChunkDelay = default) : StubReply;

    /// <summary>An error status with optional headers and body.</summary>
    public sealed record Status(int Code, IReadOnlyDictionary<string, string>? Headers = null, string Body = "{\"error\":{\"message\":\"stub error\",\"type\":\"server_error\"}}") : StubReply;

    /// <summary>A 200 whose body is not a completion.</summary>
    public sealed record Malformed(string Body) : StubReply;

    /// <summary>Waits, then does <paramref name="Then"/>; the wait ends early when the client hangs up.</summary>
    public sealed record Delay(TimeSpan Wait, StubReply Then) : StubReply;
}

/// <summary>
/// An OpenAI-compatible chat completions server on a loopback port, for tests: it answers
/// <c>POST …/chat/completions</c> (JSON or server-sent events) as <see cref="Reply"/> says and records every request.
/// </summary>
public sealed class StubOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StubRequest> _requests = new();

    private StubOpenAIServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Decides the reply to each request; by default a one-sentence answer citing [1].</summary>
    public Func<StubRequest, StubReply> Reply { get; set; } = _ => new StubReply.Text("FastAPI is fast [1].");

    /// <summary>The server's root, such as http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The OpenAI-style base address clients are configured with: <c>{BaseAddress}v1</c>.</summary>
    public string V1 => BaseAddress + "v1";

    /// <summary>Every request received so far, in order of arrival.</summary>
    public IReadOnlyList<StubRequest> Requests => [.. _requests];

    /// <summary>Starts the stub.</summary>
    public static async Task<StubOpenAIServer> StartAsync()
    {
        var builder = LoopbackApp.CreateBuilder();
        var app = builder.Build();
        var stub = new StubOpenAIServer(app);
        app.MapPost("/{**path}", stub.HandleAsync);
        await app.StartAsync();
        stub.BaseAddress = new Uri(LoopbackApp.Address(app) + "/");
        return stub;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new StubRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body);
        _requests.Enqueue(request);
        if (!request.Path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }
        await WriteAsync(context, request, Reply(request));
    }

    private static async Task WriteAsync(HttpContext context, StubRequest request, StubReply reply)
    {
        var response = context.Response;
        switch (reply)
        {
            case StubReply.Delay delay:
                try
                {
                    await Task.Delay(delay.Wait, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                await WriteAsync(context, request, delay.Then);
                return;
            case StubReply.Status status:
                response.StatusCode = status.Code;
                foreach (var (name, value) in status.Headers ?? new Dictionary<string, string>())
                    response.Headers[name] = value;
                response.ContentType = "application/json";
                await response.WriteAsync(status.Body);
                return;
            case StubReply.Malformed malformed:
                response.ContentType = "application/json";
                await response.WriteAsync(malformed.Body);
                return;
            case StubReply.Text text when request.Stream:
                response.ContentType = "text/event-stream";
                for (var i = 0; i < text.Content.Length; i += text.ChunkLength)
                {
                    var piece = text.Content.Substring(i, Math.Min(text.ChunkLength, text.Content.Length - i));
                    await response.WriteAsync("data: " + Chunk(piece, finish: null) + "\n\n");
                    await response.Body.FlushAsync();
                    if (text.ChunkDelay > TimeSpan.Zero)
                        await Task.Delay(text.ChunkDelay, context.RequestAborted);
                }
                await response.WriteAsync("data: " + Chunk("", finish: "stop") + "\n\n");
                await response.WriteAsync("data: [DONE]\n\n");
                return;
            case StubReply.Text text:
                response.ContentType = "application/json";
                await response.WriteAsync(JsonSerializer.Serialize(new
                {
                    id = "chatcmpl-stub",
                    @object = "chat.completion",
                    created = 1_700_000_000,
                    model = "stub-model",
                    choices = new[] { new { index = 0, message = new { role = "assistant", content = text.Content }, finish_reason = "stop" } },
                    usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
                }));
                return;
        }
    }

    private static string Chunk(string content, string? finish) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-stub",
        @object = "chat.completion.chunk",
        created = 1_700_000_000,
        model = "stub-model",
        choices = new[] { new { index = 0, delta = new { content }, finish_reason = finish } },
    });

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
