using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Hosting;

/// <summary>One fixed-window limit: <see cref="PermitLimit"/> requests per client per <see cref="WindowSeconds"/>.</summary>
public sealed class RateLimit
{
    /// <summary>Requests allowed per window and client.</summary>
    public int PermitLimit { get; set; }

    /// <summary>The window's length in seconds.</summary>
    public int WindowSeconds { get; set; } = 60;
}

/// <summary>
/// Settings of the <c>RateLimits</c> section: per-client (remote IP) limits on the endpoints that cost work or state.
/// The defaults are far above what one person in a chat does.
/// </summary>
public sealed class RateLimitOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "RateLimits";

    /// <summary><c>POST /api/ask</c> and <c>/api/ask/stream</c> (one budget).</summary>
    public RateLimit Ask { get; set; } = new() { PermitLimit = 120 };

    /// <summary>Direct Line token minting: <c>/api/directline/token</c> and <c>/v3/directline/tokens/generate</c>.</summary>
    public RateLimit DirectLineToken { get; set; } = new() { PermitLimit = 60 };

    /// <summary>Direct Line conversation starts: <c>POST /v3/directline/conversations</c>.</summary>
    public RateLimit DirectLineConversation { get; set; } = new() { PermitLimit = 60 };

    /// <summary>Direct Line activities: <c>POST /v3/directline/conversations/{id}/activities</c>.</summary>
    public RateLimit DirectLineActivity { get; set; } = new() { PermitLimit = 300 };

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, limit) in Limits())
        {
            if (limit.PermitLimit < 1)
                yield return new ValidationResult($"RateLimits:{name}:PermitLimit must be at least 1 (it is {limit.PermitLimit}).", [name]);
            if (limit.WindowSeconds is < 1 or > 86_400)
                yield return new ValidationResult($"RateLimits:{name}:WindowSeconds must be between 1 and 86400 (it is {limit.WindowSeconds}).", [name]);
        }
    }

    internal IEnumerable<(string Name, RateLimit Limit)> Limits() =>
    [
        (nameof(Ask), Ask), (nameof(DirectLineToken), DirectLineToken),
        (nameof(DirectLineConversation), DirectLineConversation), (nameof(DirectLineActivity), DirectLineActivity),
    ];
}

/// <summary>Settings of the <c>Http</c> section: who may forward a client's address, and what a caller may send.</summary>
public sealed class HttpOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Http";

    /// <summary>The default body cap: a question or an activity needs kilobytes, not megabytes.</summary>
    public const long DefaultMaxRequestBodyBytes = 64 * 1024;

    /// <summary>
    /// The largest request body accepted by the endpoints that take a question or an activity (<c>/api/ask</c>,
    /// <c>/api/ask/stream</c>, <c>/api/messages</c>, <c>/api/slack/*</c>, Direct Line activities); larger gets 413.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>
    /// Addresses (or networks such as <c>10.0.0.0/8</c>) of reverse proxies whose <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> are believed. Empty: the
    /// headers are ignored and the client is the TCP peer.
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxRequestBodyBytes is < 1024 or > 16 * 1024 * 1024)
            yield return new ValidationResult("Http:MaxRequestBodyBytes must be between 1024 and 16777216 (16 MB).", [nameof(MaxRequestBodyBytes)]);
        foreach (var proxy in KnownProxies)
        {
            if (!IPAddress.TryParse(proxy, out _) && !(proxy.Contains('/') && System.Net.IPNetwork.TryParse(proxy, out _)))
                yield return new ValidationResult($"Http:KnownProxies contains '{proxy}', which is neither an IP address nor a network such as 10.0.0.0/8.", [nameof(KnownProxies)]);
        }
    }
}

/// <summary>The rate-limit policies endpoints opt into.</summary>
public static class RateLimitPolicies
{
    /// <summary>Asking a question.</summary>
    public const string Ask = "ask";

    /// <summary>Minting a Direct Line token.</summary>
    public const string DirectLineToken = "directline-token";

    /// <summary>Starting a Direct Line conversation.</summary>
    public const string DirectLineConversation = "directline-conversation";

    /// <summary>Posting a Direct Line activity.</summary>
    public const string DirectLineActivity = "directline-activity";

    /// <summary>The client a request counts against: its remote IP, after trusted proxies' forwarding headers.</summary>
    public static string ClientKey(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

/// <summary>Registers forwarded-header handling, per-client rate limits and the storage-failure response.</summary>
public static class EdgeServiceCollectionExtensions
{
    /// <summary>Adds the rate limiter (policies from <c>RateLimits</c>), forwarded headers from <c>Http:KnownProxies</c> only.</summary>
    public static IServiceCollection AddEdgeProtection(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<HttpOptions>>((forwarded, http) =>
        {
            // The framework trusts loopback by default, and every sender once both lists are empty: the headers are read
            // only when proxies are configured, and only from them.
            forwarded.ForwardedHeaders = http.Value.KnownProxies.Length == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in http.Value.KnownProxies)
            {
                // A network (10.0.0.0/8) where the proxies' addresses are not fixed, as for an ingress controller's pods.
                if (proxy.Contains('/'))
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
                else
                    forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });

        var limits = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddRateLimiter(options =>
        {
            AddPolicy(options, RateLimitPolicies.Ask, limits.Ask);
            AddPolicy(options, RateLimitPolicies.DirectLineToken, limits.DirectLineToken);
            AddPolicy(options, RateLimitPolicies.DirectLineConversation, limits.DirectLineConversation);
            AddPolicy(options, RateLimitPolicies.DirectLineActivity, limits.DirectLineActivity);
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = RejectAsync;
        });
        services.AddExceptionHandler<StorageUnavailableHandler>();
        return services;
    }

    /// <summary>
    /// A fixed-window limit per client: counted in the process, or in the shared database when replicas share one
    /// (<c>Storage:Provider=postgres</c>), so a client spreading requests over replicas still meets one limit.
    /// </summary>
    private static void AddPolicy(RateLimiterOptions options, string policy, RateLimit limit)
        => options.AddPolicy(policy, context =>
        {
            var client = RateLimitPolicies.ClientKey(context);
            int permits = Math.Max(1, limit.PermitLimit);
            var window = TimeSpan.FromSeconds(Math.Max(1, limit.WindowSeconds));
            var services = context.RequestServices;
            if (services.GetRequiredService<IOptions<StorageOptions>>().Value.UsesPostgres)
            {
                return RateLimitPartition.Get(client, key => new SharedRateLimiter(services.GetRequiredService<IChannelMemory>(),
                    services.GetRequiredService<TimeProvider>(), policy, key, permits, window));
            }
            return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = window,
                QueueLimit = 0,
            });
        });

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        int seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        EdgeLog.RateLimited(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimitPolicies)),
            context.Request.Path, RateLimitPolicies.ClientKey(context));
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"This client has sent too many requests. Try again in {seconds} seconds.",
            },
        });
    }

}

/// <summary>Turns a failure of the conversation store into 503 ProblemDetails, without its exception text.</summary>
internal sealed class StorageUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not StorageUnavailableException || httpContext.Response.HasStarted)
            return false;
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "30";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Conversation storage unavailable",
                Detail = "Conversations cannot be stored right now. Try again later.",
            },
        });
    }
}

/// <summary>Log messages of the edge protection.</summary>
internal static partial class EdgeLog
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Debug, Message = "Rate limit reached on {Path} by client {Client}")]
    public static partial void RateLimited(ILogger logger, string path, string client);
}
