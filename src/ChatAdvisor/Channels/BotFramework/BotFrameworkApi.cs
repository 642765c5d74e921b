using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatAdvisor.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>
/// <c>POST /api/messages</c>: the Bot Framework v3 messaging endpoint. It authenticates the channel, answers at
/// once and sends replies to the Connector in the background (or in the response for <c>expectReplies</c>).
/// </summary>
public static class BotFrameworkApi
{
    /// <summary>The route the channel posts to.</summary>
    public const string Route = "/api/messages";

    /// <summary>Maps the messaging endpoint.</summary>
    public static IEndpointRouteBuilder MapBotFramework(this IEndpointRouteBuilder app)
    {
        // Activities are small; a Teams message with cards stays far below the common body cap (Http:MaxRequestBodyBytes).
        app.MapPost(Route, HandleAsync)
            .WithRequestBodyLimit()
            .Accepts<Activity>("application/json")
            .Produces(StatusCodes.Status200OK)
            .Produces<ExpectedReplies>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .Produces(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    internal static async Task<Results<Ok, JsonHttpResult<object>, ProblemHttpResult, UnauthorizedHttpResult, StatusCodeHttpResult>> HandleAsync(
        HttpContext context,
        ChannelTokenValidator validator,
        BotTurnHandler handler,
        TurnQueue queue,
        ConnectorClient connector,
        RecentActivities recent,
        IOptions<BotFrameworkOptions> options,
        IOptions<DirectLine.DirectLineOptions> directLine,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger(typeof(BotFrameworkApi).FullName!);
        var request = context.Request;
        Activity? activity;
        try
        {
            activity = await JsonSerializer.DeserializeAsync<Activity>(request.Body, BotJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed activity", "The body must be one Bot Framework activity as JSON.");
        }
        if (activity is null)
            return Problem(StatusCodes.Status400BadRequest, "Malformed activity", "The body must be one Bot Framework activity as JSON.");

        // Authenticate before anything else is looked at: a refused request has no effect at all.
        var settings = options.Value;
        if (settings.AuthenticationEnabled)
        {
            var check = await validator.ValidateAsync(request.Headers.Authorization.ToString(), activity, cancellationToken);
            if (!check.IsValid)
            {
                BotFrameworkLog.Unauthorized(logger, check.Failure!, LogText.Clean(activity.Id));
                return TypedResults.Unauthorized();
            }
        }
        else if (!settings.LocalModeEnabled)
        {
            // No App ID and no local mode: nothing can authenticate a caller, so nobody gets in. 401 rather than
            // 503: a channel must not retry, and the body tells the operator what to set.
            BotFrameworkLog.NotConfigured(logger, LogText.Clean(activity.Id));
            return Problem(StatusCodes.Status401Unauthorized, "The bot is not configured",
                "Set BotFramework:AppId (and AppPassword) to accept a Bot Framework channel, or BotFramework:LocalMode=true for local use.");
        }
        else if (!IsLocalCaller(context))
        {
            // Without an App ID there is no way to tell a channel from anyone else: this machine only, not through a proxy.
            BotFrameworkLog.Unauthorized(logger, "local mode and the caller is not on this machine", LogText.Clean(activity.Id));
            return TypedResults.Unauthorized();
        }

        if (HasControlCharacters(activity))
        {
            // No channel puts control characters in ids; refusing them here keeps forged lines out of every later log.
            BotFrameworkLog.ControlCharacters(logger, LogText.Clean(activity.Id));
            return Problem(StatusCodes.Status400BadRequest, "Invalid activity", "Ids and the type must not contain control characters.");
        }

        if (string.IsNullOrEmpty(activity.Type) || string.IsNullOrEmpty(activity.Conversation?.Id))
            return Problem(StatusCodes.Status400BadRequest, "Invalid activity", "An activity needs a type and a conversation id.");

        BotFrameworkLog.Received(logger, activity.Type, activity.Id, activity.ChannelId);
        var expectReplies = string.Equals(activity.DeliveryMode, "expectReplies", StringComparison.OrdinalIgnoreCase);

        if (activity.Type == ActivityTypes.Invoke)
        {
            if (activity.Name != "message/submitAction")
                return TypedResults.StatusCode(StatusCodes.Status501NotImplemented);
            if (settings.IsTenantAllowed(activity.TenantId) && await recent.TryClaimAsync(activity, cancellationToken))
                await handler.RecordFeedbackAsync(activity, cancellationToken);
            // Teams wants exactly 200 with an empty object; any other body is an error there.
            return TypedResults.Json<object>(new JsonObject(), BotJson.Options);
        }

        if (activity.Type is not (ActivityTypes.Message or ActivityTypes.ConversationUpdate))
            return TypedResults.Ok();

        if (!expectReplies && !connector.IsAllowedServiceUrl(activity.ServiceUrl))
        {
            BotFrameworkLog.ServiceUrlRefused(logger, activity.Id);
            return Problem(StatusCodes.Status403Forbidden, "Service URL not allowed",
                settings.AuthenticationEnabled
                    ? "Replies go only to https service URLs."
                    : "In local mode, replies go only to the service URLs in BotFramework:LocalServiceUrls (or use deliveryMode expectReplies).");
        }

        if (!await recent.TryClaimAsync(activity, cancellationToken))
        {
            BotFrameworkLog.Duplicate(logger, activity.Id);
            return expectReplies ? TypedResults.Json<object>(new ExpectedReplies(), BotJson.Options) : TypedResults.Ok();
        }

        var style = ReplyStyle.ForChannel(activity.ChannelId).WithArticleLinks(directLine.Value.PublicBaseUrl);
        var tenantAllowed = settings.IsTenantAllowed(activity.TenantId);
        if (!tenantAllowed)
            BotFrameworkLog.TenantRefused(logger, activity.TenantId ?? "(none)", activity.Id);

        if (expectReplies)
        {
            var sink = new CollectingReplySink();
            if (tenantAllowed)
                await handler.HandleAsync(activity, sink, style, cancellationToken);
            else
                await handler.RefuseAsync(activity, sink, style, cancellationToken);
            return TypedResults.Json<object>(new ExpectedReplies { Activities = [.. sink.Replies] }, BotJson.Options);
        }

        // Answered in the background, so the channel gets its 200 at once (the Bot Connector gives up after 15 s and re-posts).
        var refusal = queue.TryEnqueue(BotTurnHandler.ConversationKey(activity), activity.Id ?? "(no id)", stopping =>
        {
            var sink = new ConnectorReplySink(connector, activity);
            return tenantAllowed ? handler.HandleAsync(activity, sink, style, stopping) : handler.RefuseAsync(activity, sink, style, stopping);
        });
        if (refusal != TurnQueueRefusal.None)
        {
            await recent.ReleaseAsync(activity, cancellationToken);
            BotFrameworkLog.QueueFull(logger, activity.Id);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Busy", "Too many activities are waiting; please retry.");
        }
        return TypedResults.Ok();
    }

    /// <summary>
    /// The headers a proxy or CDN adds to name the client it forwards for. With ASPNETCORE_FORWARDEDHEADERS_ENABLED the
    /// forwarded headers middleware moves X-Forwarded-For to X-Original-For. A proxy or CDN tunnel on this machine
    /// (nginx, cloudflared) connects from loopback, so any of them means "not local".
    /// </summary>
    private static readonly string[] ForwardingHeaders =
        ["X-Forwarded-For", "X-Original-For", "Forwarded", "X-Real-IP", "CF-Connecting-IP", "True-Client-IP", "X-Client-IP"];

    /// <summary>A caller on this machine that did not come through a proxy (a proxy adds a forwarding header).</summary>
    private static bool IsLocalCaller(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (ForwardingHeaders.Any(headers.ContainsKey))
            return false;
        return context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
    }

    private static bool HasControlCharacters(Activity activity)
        => new[] { activity.Id, activity.Type, activity.ChannelId, activity.Conversation?.Id, activity.ReplyToId, activity.TenantId, activity.Name }
            .Any(value => value is not null && value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'));

    private static ProblemHttpResult Problem(int status, string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: status);
}
