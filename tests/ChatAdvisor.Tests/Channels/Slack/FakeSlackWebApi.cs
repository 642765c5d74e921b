using ChatAdvisor.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Tests.Channels.Slack;

/// <summary>One call the fake Slack Web API received.</summary>
/// <param name="Method">The Web API method, such as chat.postMessage.</param>
/// <param name="Authorization">The Authorization header as sent.</param>
/// <param name="Body">The JSON body.</param>
/// <param name="Delivered">True when the fake answered ok (the message counts as posted).</param>
/// <param name="At">When the fake received it.</param>
public sealed record SlackApiCall(string Method, string? Authorization, JsonObject Body, bool Delivered, DateTimeOffset At = default)
{
    public string? Channel => Body["channel"]?.GetValue<string>();
    public string? ThreadTs => Body["thread_ts"]?.GetValue<string>();
    public string Text => Body["text"]?.GetValue<string>() ?? "";
    public JsonArray Blocks => Body["blocks"]?.AsArray() ?? [];

    /// <summary>The mrkdwn texts of the blocks of one type (section, context), in order.</summary>
    public IReadOnlyList<string> BlockTexts(string type) => [.. Blocks
        .Where(b => b!["type"]!.GetValue<string>() == type)
        .Select(b => type == "context" ? b!["elements"]![0]!["text"]!.GetValue<string>() : b!["text"]!["text"]!.GetValue<string>())];

    /// <summary>The buttons' (action id, label, value), in order.</summary>
    public IReadOnlyList<(string ActionId, string Label, string Value)> Buttons => [.. Blocks
        .Where(b => b!["type"]!.GetValue<string>() == "actions")
        .SelectMany(b => b!["elements"]!.AsArray())
        .Select(e => (e!["action_id"]!.GetValue<string>(), e["text"]!["text"]!.GetValue<string>(), e["value"]!.GetValue<string>()))];
}

/// <summary>A scripted reply of the fake: HTTP status, JSON body and an optional Retry-After.</summary>
public sealed record SlackApiReply(int Status, string Json, int? RetryAfterSeconds = null, TimeSpan? Delay = null);

/// <summary>
/// A stand-in for https://slack.com/api/ on a loopback port: records every call and answers ok with a new ts,
/// unless replies were scripted with <see cref="Script"/>.
/// </summary>
public sealed class FakeSlackWebApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SlackApiCall> _calls = new();
    private readonly ConcurrentQueue<SlackApiReply> _script = new();
    private int _nextTs;

    private FakeSlackWebApi(WebApplication app) => _app = app;

    /// <summary>The base address to configure as Slack:ApiBaseUrl (ends in /api/).</summary>
    public Uri ApiBaseUrl { get; private set; } = null!;

    /// <summary>Every call received, in order.</summary>
    public IReadOnlyList<SlackApiCall> Calls => [.. _calls];

    /// <summary>The messages the fake accepted as posted.</summary>
    public IReadOnlyList<SlackApiCall> Delivered => [.. _calls.Where(c => c.Delivered)];

    /// <summary>Answers the next calls with <paramref name="replies"/>, in order, before going back to ok.</summary>
    public void Script(params SlackApiReply[] replies)
    {
        foreach (var reply in replies)
            _script.Enqueue(reply);
    }

    /// <summary>Methods this workspace does not offer (answered <c>{"ok":false,"error":"unknown_method"}</c>), such as chat.startStream.</summary>
    public ConcurrentDictionary<string, bool> Unsupported { get; } = new(StringComparer.Ordinal);

    public static async Task<FakeSlackWebApi> StartAsync()
    {
        var builder = LoopbackApp.CreateBuilder();
        var app = builder.Build();
        var fake = new FakeSlackWebApi(app);
        app.MapPost("/api/{method}", fake.HandleAsync);
        await app.StartAsync();
        var address = LoopbackApp.Address(app);
        fake.ApiBaseUrl = new Uri(new Uri(address), "/api/");
        return fake;
    }

    private async Task<IResult> HandleAsync(string method, HttpRequest request)
    {
        var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
        if (Unsupported.ContainsKey(method))
        {
            _calls.Enqueue(new SlackApiCall(method, request.Headers.Authorization, body, Delivered: false, DateTimeOffset.UtcNow));
            return Results.Text("""{"ok":false,"error":"unknown_method"}""", "application/json");
        }
        if (_script.TryDequeue(out var reply))
        {
            _calls.Enqueue(new SlackApiCall(method, request.Headers.Authorization, body, Delivered: false, DateTimeOffset.UtcNow));
            if (reply.Delay is { } delay)
                await Task.Delay(delay, request.HttpContext.RequestAborted);
            if (reply.RetryAfterSeconds is { } seconds)
                request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Text(reply.Json, "application/json", statusCode: reply.Status);
        }
        var ts = $"1763700000.{Interlocked.Increment(ref _nextTs):D6}";
        _calls.Enqueue(new SlackApiCall(method, request.Headers.Authorization, body, Delivered: true, DateTimeOffset.UtcNow));
        return Results.Text($$"""{"ok":true,"channel":"{{body["channel"]}}","ts":"{{ts}}"}""", "application/json");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
