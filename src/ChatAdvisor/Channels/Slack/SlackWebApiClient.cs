using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace ChatAdvisor.Channels.Slack;

/// <summary>
/// The few Slack Web API calls the adapter makes (a typed HttpClient based at <see cref="SlackOptions.ApiBaseUrl"/>).
/// Its resilience pipeline (<see cref="AddRateLimitRetry"/>) waits and retries when Slack answers rate limited; every
/// other failure is logged by its Slack error code, never with the token.
/// </summary>
public sealed class SlackWebApiClient(HttpClient http, IOptions<SlackOptions> options, TimeProvider timeProvider, ILogger<SlackWebApiClient> logger)
{
    private const string PostMessage = "chat.postMessage";

    /// <summary>The name of the resilience pipeline on the client's HttpClient.</summary>
    public const string PipelineName = "slack-rate-limit";

    /// <summary>How many times a rate-limited call is tried in all.</summary>
    public const int MaxAttempts = 4;

    /// <summary>The longest Retry-After the client waits for; longer ones give up (the answer would be stale anyway).</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(2);

    /// <summary>How long one attempt may take (the waits between attempts are not counted).</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>Which attempt a request is on; the pipeline updates it before each retry.</summary>
    private static readonly HttpRequestOptionsKey<int> Attempt = new("ChatAdvisor.Slack.Attempt");

    /// <summary>
    /// Posts <paramref name="content"/> (text and blocks from <see cref="SlackMessageRenderer"/>) to <paramref name="destination"/>.
    /// Returns the new message's ts, or null when it could not be posted (the reason is logged).
    /// </summary>
    public async Task<string?> PostMessageAsync(SlackDestination destination, JsonObject content, CancellationToken cancellationToken = default)
    {
        var body = (JsonObject)content.DeepClone();
        body["channel"] = destination.Channel;
        if (destination.ThreadTs is not null)
            body["thread_ts"] = destination.ThreadTs;
        body["unfurl_links"] = false;
        body["unfurl_media"] = false;
        var result = await CallAsync(PostMessage, body, destination.Channel, cancellationToken);
        return result is { Ok: true } ? result.Ts ?? "" : null;
    }

    /// <summary>Replaces the message <paramref name="ts"/> with <paramref name="content"/>; false when Slack refused (logged).</summary>
    public async Task<bool> UpdateMessageAsync(string channel, string ts, JsonObject content, CancellationToken cancellationToken = default)
    {
        var body = (JsonObject)content.DeepClone();
        body["channel"] = channel;
        body["ts"] = ts;
        return (await CallAsync("chat.update", body, channel, cancellationToken))?.Ok == true;
    }

    /// <summary>
    /// Starts a streamed reply in <paramref name="destination"/>'s thread (<c>chat.startStream</c>). Returns the
    /// message's ts, or null when the workspace or conversation does not support streaming (the caller falls back).
    /// </summary>
    public async Task<string?> StartStreamAsync(SlackDestination destination, string? teamId, string? userId, string markdown, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["channel"] = destination.Channel, ["thread_ts"] = destination.ThreadTs, ["markdown_text"] = markdown };
        // Outside a direct message Slack wants to know whom the stream is for.
        if (teamId is not null && userId is not null)
        {
            body["recipient_team_id"] = teamId;
            body["recipient_user_id"] = userId;
        }
        var result = await CallAsync("chat.startStream", body, destination.Channel, cancellationToken);
        return result is { Ok: true, Ts: { } ts } ? ts : null;
    }

    /// <summary>Appends <paramref name="markdown"/> to the streamed message <paramref name="ts"/> (<c>chat.appendStream</c>).</summary>
    public async Task<bool> AppendStreamAsync(string channel, string ts, string markdown, CancellationToken cancellationToken = default)
        => (await CallAsync("chat.appendStream", new JsonObject { ["channel"] = channel, ["ts"] = ts, ["markdown_text"] = markdown }, channel, cancellationToken))?.Ok == true;

    /// <summary>Ends the streamed message <paramref name="ts"/> (<c>chat.stopStream</c>).</summary>
    public async Task<bool> StopStreamAsync(string channel, string ts, CancellationToken cancellationToken = default)
        => (await CallAsync("chat.stopStream", new JsonObject { ["channel"] = channel, ["ts"] = ts }, channel, cancellationToken))?.Ok == true;

    /// <summary>Sets the assistant thread's status line (<c>assistant.threads.setStatus</c>); an empty status clears it.</summary>
    public async Task<bool> SetStatusAsync(SlackDestination destination, string status, CancellationToken cancellationToken = default)
        => (await CallAsync("assistant.threads.setStatus",
            new JsonObject { ["channel_id"] = destination.Channel, ["thread_ts"] = destination.ThreadTs, ["status"] = status }, destination.Channel, cancellationToken))?.Ok == true;

    /// <summary>Calls a Web API method with a JSON body; returns Slack's answer, or null when there was none (the reason is logged).</summary>
    private async Task<SlackApiResponse?> CallAsync(string method, JsonObject body, string channel, CancellationToken cancellationToken)
    {
        // Buffered with a Content-Length rather than streamed chunked: messages are small, every proxy copes, and the
        // resilience pipeline can send the same request again after a rate limit.
        using var request = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.BotToken);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            // Not retried: the message may have been posted before the connection broke, and a duplicate answer is worse.
            SlackLog.TransportFailure(logger, method, exception);
            return null;
        }

        using (response)
        {
            var attempts = request.Options.TryGetValue(Attempt, out var attempt) ? attempt : 1;
            var result = await ReadResultAsync(response, cancellationToken);
            if (IsRateLimited(response, result))
            {
                // The pipeline gave up: the last attempt was rate limited too, or Slack asked for too long a wait.
                SlackLog.RateLimitGaveUp(logger, method, attempts, RetryAfter(response, timeProvider), channel);
                return null;
            }

            if (result is null)
            {
                SlackLog.HttpFailure(logger, method, (int)response.StatusCode);
                return null;
            }

            if (result.Ok)
            {
                SlackLog.Posted(logger, method, result.Ts, channel, attempts);
                return result;
            }

            var error = result.Error ?? "unknown_error";
            switch (error)
            {
                case "invalid_auth" or "not_authed" or "account_inactive" or "token_revoked" or "token_expired" or "missing_scope":
                    SlackLog.BotTokenRejected(logger, method, error);
                    break;
                case "channel_not_found" or "not_in_channel" or "is_archived" or "restricted_action":
                    SlackLog.ChannelUnavailable(logger, method, channel, error);
                    break;
                default:
                    SlackLog.ApiError(logger, method, error);
                    break;
            }
            return result;
        }
    }

    /// <summary>
    /// The client's resilience pipeline: a rate-limited answer (HTTP 429, or HTTP 200 with <c>ratelimited</c> /
    /// <c>rate_limited</c>) is tried again after its Retry-After (1 second without one), up to <see cref="MaxAttempts"/>
    /// attempts, as long as the wait is at most <see cref="MaxRetryAfter"/>. Nothing else is retried: a broken
    /// connection or a timeout may already have posted the message. Each attempt may take <see cref="AttemptTimeout"/>.
    /// The waits run on <paramref name="timeProvider"/>.
    /// </summary>
    internal static void AddRateLimitRetry(ResiliencePipelineBuilder<HttpResponseMessage> builder, TimeProvider timeProvider, ILogger<SlackWebApiClient> logger)
    {
        builder.TimeProvider = timeProvider;
        builder.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = MaxAttempts - 1,
            ShouldHandle = async args => args.Outcome.Result is { } response
                && IsRateLimited(response, await ReadResultAsync(response, args.Context.CancellationToken))
                && RetryAfter(response, timeProvider) <= MaxRetryAfter,
            // Replaces the library's Retry-After reader so that a date is measured against the app's clock.
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Outcome.Result is { } response ? RetryAfter(response, timeProvider) : null),
            OnRetry = args =>
            {
                SlackLog.RateLimited(logger, PostMessage, args.AttemptNumber + 1, args.RetryDelay);
                args.Context.GetRequestMessage()?.Options.Set(Attempt, args.AttemptNumber + 2);
                return ValueTask.CompletedTask;
            },
        });
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = AttemptTimeout });
    }

    private static bool IsRateLimited(HttpResponseMessage response, SlackApiResponse? result)
        => response.StatusCode == HttpStatusCode.TooManyRequests || result?.Error is "ratelimited" or "rate_limited";

    /// <summary>The Web API answer of a 2xx response; null when there is none or it is not JSON. The body is buffered, so it can be read again.</summary>
    private static async Task<SlackApiResponse?> ReadResultAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
            return null;
        try
        {
            var json = await response.Content.ReadAsStringAsync(cancellationToken);
            return JsonSerializer.Deserialize<SlackApiResponse>(json, SlackJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        if (response.Headers.RetryAfter?.Delta is { } delta)
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (response.Headers.RetryAfter?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return DefaultRetryAfter;
    }
}
