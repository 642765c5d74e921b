using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>
/// Sends activities to the Bot Connector at the activity's serviceUrl:
/// <c>POST {serviceUrl}/v3/conversations/{conversationId}/activities/{replyToId}</c>. The HttpClient's resilience
/// pipeline (<see cref="AddReplyRetry"/>) retries 429 and 5xx answers (and network failures) with exponential backoff,
/// honouring Retry-After. Thread-safe.
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
    ILogger<ConnectorClient> logger)
{
    /// <summary>The name of the HttpClient used for the Connector.</summary>
    public const string HttpClientName = "BotFramework.Connector";

    /// <summary>How many times a send is tried in all.</summary>
    public const int MaxAttempts = 4;

    /// <summary>The wait before the first retry; it doubles on each retry.</summary>
    public static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(500);

    /// <summary>How long one attempt may take (the waits between attempts are not counted).</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The name of the resilience pipeline on the Connector's HttpClient.</summary>
    public const string PipelineName = "connector-replies";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Which attempt a request is on; the pipeline updates it before each retry.</summary>
    private static readonly HttpRequestOptionsKey<int> Attempt = new("ChatAdvisor.BotFramework.Attempt");

    /// <summary>The activity a request answers, for the pipeline's log lines.</summary>
    private static readonly HttpRequestOptionsKey<string?> ActivityId = new("ChatAdvisor.BotFramework.ActivityId");

    /// <summary>Set on requests the pipeline must send once only (typing indicators).</summary>
    private static readonly HttpRequestOptionsKey<bool> SingleAttempt = new("ChatAdvisor.BotFramework.SingleAttempt");

    /// <summary>True when replies may be sent to <paramref name="serviceUrl"/> under the current settings.</summary>
    public bool IsAllowedServiceUrl(string? serviceUrl)
    {
        if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo))
            return false;
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            return false;
        var settings = options.Value;
        if (!settings.AuthenticationEnabled)
        {
            // Unauthenticated callers choose the service URL: only the configured local ones, never any local port.
            return settings.LocalModeEnabled && settings.IsListedLocalServiceUrl(uri);
        }
        // An authenticated channel's token vouches for its service URL (the serviceurl claim).
        return IsLoopback(uri) || uri.Scheme == Uri.UriSchemeHttps;
    }

    /// <summary>Sends <paramref name="reply"/> in answer to <paramref name="inbound"/>; returns the id the channel gave it.</summary>
    public async Task<string?> ReplyAsync(Activity inbound, Activity reply, CancellationToken cancellationToken = default)
    {
        using var request = await CreateRequestAsync(ReplyUrl(inbound), reply, cancellationToken);
        request.Options.Set(ActivityId, inbound.Id);
        HttpStatusCode? status = null;
        try
        {
            using var response = await SendAsync(request, cancellationToken);
            status = response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var resource = await ReadResourceAsync(response, cancellationToken);
                BotFrameworkLog.ReplySent(logger, inbound.Id, resource?.Id, AttemptOf(request));
                return resource?.Id;
            }
            if (response.StatusCode == HttpStatusCode.Unauthorized && options.Value.AuthenticationEnabled)
                tokens.Invalidate();
            // Teams answers 403 ContentStreamNotAllowed to a stream update once the user pressed Stop (or streaming is
            // not allowed there): an end of the stream, not a failure.
            if (response.StatusCode == HttpStatusCode.Forbidden
                && (await response.Content.ReadAsStringAsync(cancellationToken)).Contains(StreamNotAllowedException.ErrorCode, StringComparison.Ordinal))
                throw new StreamNotAllowedException();
            BotFrameworkLog.ReplyFailed(logger, inbound.Id, (int)response.StatusCode, OperationId(response), AttemptOf(request));
        }
        catch (HttpRequestException ex)
        {
            BotFrameworkLog.ReplyNetworkFailure(logger, inbound.Id, ex.HttpRequestError.ToString(), AttemptOf(request));
        }

        // The pipeline has given up: the answer is not retryable, or the attempts are used up.
        throw new HttpRequestException($"The Connector did not accept the reply to activity {inbound.Id} after {AttemptOf(request)} attempt(s); last status {(status is null ? "none" : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture))}.", null, status);
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
            using var request = await CreateRequestAsync(ReplyUrl(inbound), typing, cancellationToken);
            request.Options.Set(SingleAttempt, true);
            using var response = await SendAsync(request, cancellationToken);
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

    /// <summary>
    /// The Connector client's resilience pipeline: a network failure, a 429 or a 5xx is tried again, up to
    /// <see cref="MaxAttempts"/> attempts, after the Retry-After the Connector gave or else after an exponential
    /// backoff from <see cref="InitialBackoff"/> with jitter (waits capped at 30 seconds); a first 401 with
    /// authentication on is tried again with a fresh token. Other answers, timeouts and typing indicators are not
    /// retried. Each attempt may take <see cref="AttemptTimeout"/>; the waits run on <paramref name="timeProvider"/>.
    /// </summary>
    internal static void AddReplyRetry(
        ResiliencePipelineBuilder<HttpResponseMessage> builder,
        BotTokenClient tokens,
        IOptions<BotFrameworkOptions> options,
        TimeProvider timeProvider,
        ILogger<ConnectorClient> logger)
    {
        builder.TimeProvider = timeProvider;
        builder.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            Delay = InitialBackoff,
            UseJitter = true,
            MaxDelay = MaxBackoff,
            ShouldHandle = args => ValueTask.FromResult(
                args.Context.GetRequestMessage() is { } request
                && !request.Options.TryGetValue(SingleAttempt, out _)
                && args.Outcome switch
                {
                    { Exception: HttpRequestException } => true,
                    { Result.StatusCode: HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError } => true,
                    { Result.StatusCode: HttpStatusCode.Unauthorized } => args.AttemptNumber == 0 && options.Value.AuthenticationEnabled,
                    _ => false,
                }),
            // Replaces the library's Retry-After reader so that a date is measured against the app's clock; without
            // a Retry-After the strategy's own backoff applies.
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfter(response, timeProvider) : null),
            OnRetry = async args =>
            {
                var request = args.Context.GetRequestMessage()!;
                request.Options.TryGetValue(ActivityId, out var activityId);
                if (args.Outcome.Result is { } response)
                    BotFrameworkLog.ReplyFailed(logger, activityId, (int)response.StatusCode, OperationId(response), args.AttemptNumber + 1);
                else
                    BotFrameworkLog.ReplyNetworkFailure(logger, activityId, (args.Outcome.Exception as HttpRequestException)?.HttpRequestError.ToString() ?? "", args.AttemptNumber + 1);
                request.Options.Set(Attempt, args.AttemptNumber + 2);

                if (options.Value.AuthenticationEnabled)
                {
                    if (args.Outcome.Result?.StatusCode == HttpStatusCode.Unauthorized)
                        tokens.Invalidate();
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetTokenAsync(args.Context.CancellationToken));
                }
            },
        });
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = AttemptTimeout });
    }

    private async Task<HttpRequestMessage> CreateRequestAsync(Uri url, Activity activity, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(activity, options: BotJson.Options),
        };
        try
        {
            if (options.Value.AuthenticationEnabled)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetTokenAsync(cancellationToken));
            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);

    private static int AttemptOf(HttpRequestMessage request) => request.Options.TryGetValue(Attempt, out var attempt) ? attempt : 1;

    private static string? OperationId(HttpResponseMessage response)
        => response.Headers.TryGetValues("X-Correlating-OperationId", out var values) ? values.FirstOrDefault() : null;

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

    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? wait = header?.Delta ?? (header?.Date is { } date ? date - timeProvider.GetUtcNow() : null);
        if (wait is null)
            return null;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxBackoff ? MaxBackoff : wait;
    }

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));
}

/// <summary>The channel refused a live-stream update (Teams' 403 <c>ContentStreamNotAllowed</c>): the stream is over.</summary>
public sealed class StreamNotAllowedException() : Exception("The channel does not accept more of this stream.")
{
    /// <summary>The error code Teams answers with.</summary>
    public const string ErrorCode = "ContentStreamNotAllowed";
}
