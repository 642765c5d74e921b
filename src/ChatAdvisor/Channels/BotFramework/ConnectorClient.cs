using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>
/// Sends activities to the Bot Connector at the activity's serviceUrl:
/// <c>POST {serviceUrl}/v3/conversations/{conversationId}/activities/{replyToId}</c>. 429 and 5xx answers (and
/// network failures) are retried with exponential backoff, honouring Retry-After. Thread-safe.
/// </summary>
/// <remarks>
/// Where replies may go: with authentication on, the serviceUrl has been vouched for by the channel's signed
/// <c>serviceurl</c> claim and must be https (or loopback, for a local channel); with authentication off, only
/// loopback addresses — the bot never sends anything to an arbitrary address.
/// </remarks>
public sealed class ConnectorClient(
    IHttpClientFactory httpClientFactory,
    BotTokenClient tokens,
    IOptions<BotFrameworkOptions> options,
    TimeProvider timeProvider,
    ILogger<ConnectorClient> logger)
{
    /// <summary>The name of the HttpClient used for the Connector.</summary>
    public const string HttpClientName = "BotFramework.Connector";

    /// <summary>How many times a send is tried in all.</summary>
    public const int MaxAttempts = 4;

    /// <summary>The wait before the first retry; it doubles on each retry.</summary>
    public static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>True when replies may be sent to <paramref name="serviceUrl"/> under the current settings.</summary>
    public bool IsAllowedServiceUrl(string? serviceUrl)
    {
        if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo))
            return false;
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            return false;
        if (IsLoopback(uri))
            return true;
        return options.Value.AuthenticationEnabled && uri.Scheme == Uri.UriSchemeHttps;
    }

    /// <summary>Sends <paramref name="reply"/> in answer to <paramref name="inbound"/>; returns the id the channel gave it.</summary>
    public async Task<string?> ReplyAsync(Activity inbound, Activity reply, CancellationToken cancellationToken = default)
    {
        var url = ReplyUrl(inbound);
        for (var attempt = 1; ; attempt++)
        {
            HttpStatusCode? status = null;
            TimeSpan? retryAfter = null;
            try
            {
                using var response = await PostAsync(url, reply, cancellationToken);
                status = response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    var resource = await ReadResourceAsync(response, cancellationToken);
                    BotFrameworkLog.ReplySent(logger, inbound.Id, resource?.Id, attempt);
                    return resource?.Id;
                }
                if (response.StatusCode == HttpStatusCode.Unauthorized && options.Value.AuthenticationEnabled)
                    tokens.Invalidate();
                retryAfter = RetryAfter(response);
                var operationId = response.Headers.TryGetValues("X-Correlating-OperationId", out var values) ? values.FirstOrDefault() : null;
                BotFrameworkLog.ReplyFailed(logger, inbound.Id, (int)response.StatusCode, operationId, attempt);
            }
            catch (HttpRequestException ex)
            {
                BotFrameworkLog.ReplyNetworkFailure(logger, inbound.Id, ex.HttpRequestError.ToString(), attempt);
            }

            var retryable = status is null or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError
                || (status == HttpStatusCode.Unauthorized && attempt == 1 && options.Value.AuthenticationEnabled);
            if (!retryable || attempt >= MaxAttempts)
                throw new HttpRequestException($"The Connector did not accept the reply to activity {inbound.Id} after {attempt} attempt(s); last status {(status is null ? "none" : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture))}.", null, status);

            var backoff = retryAfter ?? InitialBackoff * Math.Pow(2, attempt - 1) * (0.8 + Random.Shared.NextDouble() * 0.4);
            await Task.Delay(backoff > MaxBackoff ? MaxBackoff : backoff, timeProvider, cancellationToken);
        }
    }

    /// <summary>Sends a typing indicator for <paramref name="inbound"/>; one attempt, failures only logged.</summary>
    public async Task SendTypingAsync(Activity inbound, CancellationToken cancellationToken = default)
    {
        var typing = new Activity
        {
            Type = ActivityTypes.Typing,
            ReplyToId = inbound.Id,
            From = inbound.Recipient,
            Recipient = inbound.From,
            Conversation = inbound.Conversation,
        };
        try
        {
            using var response = await PostAsync(ReplyUrl(inbound), typing, cancellationToken);
            if (!response.IsSuccessStatusCode)
                BotFrameworkLog.TypingFailed(logger, inbound.Id, (int)response.StatusCode);
        }
        catch (HttpRequestException ex)
        {
            BotFrameworkLog.TypingFailed(logger, inbound.Id, (int)(ex.StatusCode ?? 0));
        }
        catch (BotTokenException)
        {
            BotFrameworkLog.TypingFailed(logger, inbound.Id, 0);
        }
    }

    /// <summary>The reply URL: serviceUrl joined with the escaped conversation and activity ids.</summary>
    public Uri ReplyUrl(Activity inbound)
    {
        if (!IsAllowedServiceUrl(inbound.ServiceUrl))
            throw new InvalidOperationException("Replies to this serviceUrl are not allowed.");
        var conversationId = inbound.Conversation?.Id ?? throw new InvalidOperationException("The activity has no conversation id.");

        // serviceUrl may or may not end in '/' (Teams: https://smba.trafficmanager.net/amer/); Teams conversation ids
        // hold ':', '@' and ';messageid=', so both ids are escaped as single path segments.
        var baseUrl = inbound.ServiceUrl!.TrimEnd('/');
        var path = $"{baseUrl}/v3/conversations/{Uri.EscapeDataString(conversationId)}/activities";
        if (!string.IsNullOrEmpty(inbound.Id))
            path += "/" + Uri.EscapeDataString(inbound.Id);
        return new Uri(path, UriKind.Absolute);
    }

    private async Task<HttpResponseMessage> PostAsync(Uri url, Activity activity, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(activity, options: BotJson.Options),
        };
        if (options.Value.AuthenticationEnabled)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetTokenAsync(cancellationToken));
        return await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
    }

    private static async Task<ResourceResponse?> ReadResourceAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return body.Length == 0 ? null : JsonSerializer.Deserialize<ResourceResponse>(body, BotJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
            return delta;
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));
}
