using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ChatAdvisor.Channels;
using ChatAdvisor.Channels.Slack;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Tests.Channels.Slack;

/// <summary>A log line the server wrote.</summary>
public sealed record LogLine(string Category, LogLevel Level, string Message, string? Exception)
{
    public override string ToString() => $"{Level} {Category}: {Message}{(Exception is null ? "" : "\n" + Exception)}";
}

/// <summary>Keeps every log line of the server, at every level.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    public override string ToString() => string.Join('\n', _lines);

    private sealed class Logger(string category, ConcurrentQueue<LogLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception), exception?.ToString()));
    }
}

/// <summary>
/// The whole application on loopback with Slack configured, a fake Slack Web API receiving its posts, and helpers that
/// send signed Events API and interactivity requests the way Slack does.
/// </summary>
public sealed class SlackHarness : IAsyncDisposable
{
    public const string SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    public const string BotToken = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";
    public const string Team = "T0TEAM1";
    public const string Channel = "C0CHAN1";
    public const string DirectChannel = "D0DIRECT1";
    public const string BotUser = "U0BOT1";
    public const string User = "U0USER1";

    private int _eventCounter;

    private SlackHarness(TestServer server, FakeSlackWebApi slack, CapturedLogs logs)
    {
        Server = server;
        Slack = slack;
        Logs = logs;
    }

    public TestServer Server { get; }
    public FakeSlackWebApi Slack { get; }
    public CapturedLogs Logs { get; }

    /// <summary>Starts the fake Slack API and the application; <paramref name="signingSecret"/> null leaves Slack unconfigured.</summary>
    public static async Task<SlackHarness> StartAsync(string? signingSecret = SigningSecret, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var slack = await FakeSlackWebApi.StartAsync();
        var logs = new CapturedLogs();
        var values = new Dictionary<string, string?>
        {
            ["Slack:SigningSecret"] = signingSecret ?? "",
            ["Slack:BotToken"] = signingSecret is null ? "" : BotToken,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var server = await TestServer.StartAsync(values, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            configure?.Invoke(builder);
        });
        return new SlackHarness(server, slack, logs);
    }

    /// <summary>Now as a Slack request timestamp.</summary>
    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>A new event id such as Ev0000000001.</summary>
    public string NewEventId() => $"Ev{Interlocked.Increment(ref _eventCounter):D10}";

    /// <summary>Posts <paramref name="body"/> to /api/slack/events, signed for <paramref name="timestamp"/> (now by default).</summary>
    public Task<HttpResponseMessage> PostEventAsync(string body, long? timestamp = null, int? retryNum = null)
    {
        var ts = (timestamp ?? Now).ToString(CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>
        {
            ["X-Slack-Request-Timestamp"] = ts,
            ["X-Slack-Signature"] = SlackSignatureVerifier.Sign(SigningSecret, ts, Encoding.UTF8.GetBytes(body)),
        };
        if (retryNum is not null)
        {
            headers["X-Slack-Retry-Num"] = retryNum.Value.ToString(CultureInfo.InvariantCulture);
            headers["X-Slack-Retry-Reason"] = "http_timeout";
        }
        return PostRawAsync("/api/slack/events", body, "application/json", headers);
    }

    /// <summary>Posts a block_actions payload to /api/slack/interactions, form-encoded and signed as Slack does.</summary>
    public Task<HttpResponseMessage> PostInteractionAsync(JsonObject payload)
    {
        var body = "payload=" + Uri.EscapeDataString(payload.ToJsonString());
        var ts = Now.ToString(CultureInfo.InvariantCulture);
        return PostRawAsync("/api/slack/interactions", body, "application/x-www-form-urlencoded", new Dictionary<string, string>
        {
            ["X-Slack-Request-Timestamp"] = ts,
            ["X-Slack-Signature"] = SlackSignatureVerifier.Sign(SigningSecret, ts, Encoding.UTF8.GetBytes(body)),
        });
    }

    /// <summary>Posts <paramref name="body"/> with exactly <paramref name="headers"/> (for unsigned or tampered requests).</summary>
    public async Task<HttpResponseMessage> PostRawAsync(string path, string body, string contentType, IDictionary<string, string> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return await Server.Client.SendAsync(request);
    }

    /// <summary>Waits until every accepted piece of work has been answered (the queue is empty and idle).</summary>
    public async Task WaitUntilAnsweredAsync()
    {
        var queue = Server.Services.GetRequiredService<TurnQueue>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (queue.Pending > 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{queue.Pending} Slack answers still pending.\n{Logs}");
            await Task.Delay(25);
        }
    }

    /// <summary>An app_mention event callback as Slack sends it.</summary>
    public static string Mention(string eventId, string ts, string text, string? threadTs = null, string? botId = null)
        => Callback(eventId, new JsonObject
        {
            ["type"] = "app_mention",
            ["user"] = User,
            ["text"] = $"<@{BotUser}> {text}",
            ["ts"] = ts,
            ["thread_ts"] = threadTs,
            ["channel"] = Channel,
            ["event_ts"] = ts,
            ["bot_id"] = botId,
        });

    /// <summary>A message event: in a DM (channel_type im) or in a channel, optionally in a thread.</summary>
    public static string Message(string eventId, string ts, string text, string channel, string channelType,
        string? threadTs = null, string? user = User, string? botId = null, string? subtype = null)
        => Callback(eventId, new JsonObject
        {
            ["type"] = "message",
            ["subtype"] = subtype,
            ["user"] = user,
            ["bot_id"] = botId,
            ["text"] = text,
            ["ts"] = ts,
            ["thread_ts"] = threadTs,
            ["channel"] = channel,
            ["channel_type"] = channelType,
            ["event_ts"] = ts,
        });

    private static string Callback(string eventId, JsonObject ev)
    {
        foreach (var key in ev.Where(p => p.Value is null).Select(p => p.Key).ToList())
            ev.Remove(key);
        return new JsonObject
        {
            ["token"] = "verification-token-not-used",
            ["team_id"] = Team,
            ["api_app_id"] = "A0APP1",
            ["event"] = ev,
            ["type"] = "event_callback",
            ["event_id"] = eventId,
            ["event_time"] = 1763700000,
            ["authorizations"] = new JsonArray(new JsonObject
            {
                ["enterprise_id"] = null,
                ["team_id"] = Team,
                ["user_id"] = BotUser,
                ["is_bot"] = true,
                ["is_enterprise_install"] = false,
            }),
            ["is_ext_shared_channel"] = false,
        }.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Slack.DisposeAsync();
    }
}
