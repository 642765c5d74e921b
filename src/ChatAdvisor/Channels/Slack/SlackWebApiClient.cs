using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.Slack;

/// <summary>
/// The few Slack Web API calls the adapter makes (a typed HttpClient based at <see cref="SlackOptions.ApiBaseUrl"/>).
/// Waits and retries when Slack answers rate_limited; logs every other failure by its Slack error code, never with the token.
/// </summary>
public sealed class SlackWebApiClient(HttpClient http, IOptions<SlackOptions> options, TimeProvider timeProvider, ILogger<SlackWebApiClient> logger)
{
    private const string PostMessage = "chat.postMessage";

    /// <summary>How many times a rate-limited call is tried in all.</summary>
    public const int MaxAttempts = 4;

    /// <summary>The longest Retry-After the client waits for; longer ones give up (the answer would be stale anyway).</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

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

        for (var attempt = 1; ; attempt++)
        {
            // Buffered with a Content-Length rather than streamed chunked: messages are small, and every proxy copes.
            using var request = new HttpRequestMessage(HttpMethod.Post, PostMessage)
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
                SlackLog.TransportFailure(logger, PostMessage, exception);
                return null;
            }

            using (response)
            {
                SlackApiResponse? result = null;
                if (response.IsSuccessStatusCode)
                {
                    try
                    {
                        result = await response.Content.ReadFromJsonAsync<SlackApiResponse>(SlackJson.Options, cancellationToken);
                    }
                    catch (JsonException)
                    {
                        result = null;
                    }
                }

                var rateLimited = response.StatusCode == HttpStatusCode.TooManyRequests || result?.Error is "ratelimited" or "rate_limited";
                if (rateLimited)
                {
                    var delay = RetryAfter(response);
                    if (attempt >= MaxAttempts || delay > MaxRetryAfter)
                    {
                        SlackLog.RateLimitGaveUp(logger, PostMessage, attempt, delay, destination.Channel);
                        return null;
                    }
                    SlackLog.RateLimited(logger, PostMessage, attempt, delay);
                    await Task.Delay(delay, timeProvider, cancellationToken);
                    continue;
                }

                if (result is null)
                {
                    SlackLog.HttpFailure(logger, PostMessage, (int)response.StatusCode);
                    return null;
                }

                if (result.Ok)
                {
                    SlackLog.Posted(logger, PostMessage, result.Ts, destination.Channel, attempt);
                    return result.Ts ?? "";
                }

                var error = result.Error ?? "unknown_error";
                switch (error)
                {
                    case "invalid_auth" or "not_authed" or "account_inactive" or "token_revoked" or "token_expired" or "missing_scope":
                        SlackLog.BotTokenRejected(logger, PostMessage, error);
                        break;
                    case "channel_not_found" or "not_in_channel" or "is_archived" or "restricted_action":
                        SlackLog.ChannelUnavailable(logger, PostMessage, destination.Channel, error);
                        break;
                    default:
                        SlackLog.ApiError(logger, PostMessage, error);
                        break;
                }
                return null;
            }
        }
    }

    private TimeSpan RetryAfter(HttpResponseMessage response)
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
