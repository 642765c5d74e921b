using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ChatAdvisor.Api;
using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Core;
using ChatAdvisor.Hosting;
using ChatAdvisor.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.DirectLine;

/// <summary>A token as Direct Line returns it.</summary>
public sealed record DirectLineTokenResponse(
    [property: JsonPropertyName("conversationId")] string ConversationId,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

/// <summary>A started or resumed conversation as Direct Line returns it.</summary>
public sealed record DirectLineConversationResponse(
    [property: JsonPropertyName("conversationId")] string ConversationId,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("streamUrl")] string StreamUrl);

/// <summary>The answer to a posted activity.</summary>
public sealed record DirectLineResourceResponse([property: JsonPropertyName("id")] string Id);

/// <summary>An article as the web chat page lists it.</summary>
public sealed record WebChatArticle(string Id, string Title, string? Author, string? Publisher, string? Url);

/// <summary>
/// Maps the Direct Line 3.0 subset that the unmodified Web Chat widget and botframework-directlinejs use, under
/// <c>/v3/directline</c>, plus <c>POST /api/directline/token</c> (the page's token) and
/// <c>GET /api/webchat/articles</c> (the page's article list).
/// </summary>
public static class DirectLineApi
{
    /// <summary>The route prefix that a client passes to Web Chat as its <c>domain</c>.</summary>
    public const string Prefix = "/v3/directline";

    /// <summary>Maps the routes (the stream needs the WebSockets middleware, which the application adds).</summary>
    public static IEndpointRouteBuilder MapDirectLine(this IEndpointRouteBuilder app)
    {
        var rest = app.MapGroup(Prefix).AddEndpointFilter(CorsAsync);
        rest.MapMethods("/{**path}", [HttpMethods.Options], Preflight).ExcludeFromDescription();
        rest.MapPost("/tokens/generate", GenerateTokenAsync).WithRequestBodyLimit().RequireRateLimiting(RateLimitPolicies.DirectLineToken);
        rest.MapPost("/tokens/refresh", RefreshToken);
        rest.MapPost("/conversations", StartConversationAsync).RequireRateLimiting(RateLimitPolicies.DirectLineConversation);
        rest.MapGet("/conversations/{conversationId}", ResumeConversationAsync);
        rest.MapGet("/conversations/{conversationId}/activities", GetActivitiesAsync);
        // A question is at most 4,000 characters: the common body cap (Http:MaxRequestBodyBytes) applies.
        rest.MapPost("/conversations/{conversationId}/activities", PostActivityAsync).WithRequestBodyLimit().RequireRateLimiting(RateLimitPolicies.DirectLineActivity);
        app.Map(Prefix + "/conversations/{conversationId}/stream", StreamAsync).ExcludeFromDescription();

        app.MapPost("/api/directline/token", PageToken).RequireRateLimiting(RateLimitPolicies.DirectLineToken).RequireEmbeddingOrigin();
        app.MapGet("/api/webchat/articles", ArticlesAsync);
        return app;
    }

    /// <summary>
    /// A token for the web chat page: a new user in a new conversation. Closed (401) when DirectLine:Secret is set:
    /// then the site's backend exchanges the secret for a token (<c>POST /v3/directline/tokens/generate</c>).
    /// </summary>
    internal static Results<Ok<DirectLineTokenResponse>, ProblemHttpResult> PageToken(DirectLineTokens tokens, IOptions<DirectLineOptions> options, ILogger<DirectLineConversations> logger)
    {
        if (options.Value.Secret.Length > 0)
            return Refuse(logger, StatusCodes.Status401Unauthorized, "Anonymous tokens are off",
                "DirectLine:Secret is set: get a token from the site's backend, which calls POST /v3/directline/tokens/generate with the secret.");
        var conversationId = DirectLineTokens.NewConversationId();
        return TypedResults.Ok(new DirectLineTokenResponse(conversationId, tokens.Issue(DirectLineTokens.NewUserId(), conversationId), tokens.LifetimeSeconds));
    }

    internal static async Task<Ok<WebChatArticle[]>> ArticlesAsync(Advisor advisor, CancellationToken cancellationToken)
    {
        var articles = await advisor.GetArticlesAsync(cancellationToken);
        return TypedResults.Ok(articles.Select(a => new WebChatArticle(a.Id, a.Title, a.Author, a.Publisher, a.Url)).ToArray());
    }

    internal static async Task<Results<Ok<DirectLineTokenResponse>, ProblemHttpResult>> GenerateTokenAsync(
        HttpRequest request, DirectLineTokens tokens, IOptions<DirectLineOptions> options, ILogger<DirectLineConversations> logger)
    {
        var secret = options.Value.Secret;
        if (secret.Length == 0)
            return Refuse(logger, StatusCodes.Status403Forbidden, "Token generation is off", "Set DirectLine:Secret to let a backend generate tokens; the web chat page uses POST /api/directline/token.");
        if (BearerOf(request) is not { } presented || !SecretsEqual(presented, secret))
            return Refuse(logger, StatusCodes.Status403Forbidden, "Not allowed", "Present the Direct Line secret as a bearer token.");

        string userId = DirectLineTokens.NewUserId();
        if (request.HasJsonContentType())
        {
            try
            {
                var body = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
                if (body?["user"]?["id"] is JsonValue value && value.TryGetValue(out string? requested) && IsValidUserId(requested))
                    userId = requested.StartsWith("dl_", StringComparison.Ordinal) ? requested : "dl_" + requested;
            }
            catch (JsonException)
            {
                return Refuse(logger, StatusCodes.Status400BadRequest, "Malformed JSON", "The body must be {\"user\": {\"id\": \"…\"}} or empty.");
            }
        }

        var conversationId = DirectLineTokens.NewConversationId();
        return TypedResults.Ok(new DirectLineTokenResponse(conversationId, tokens.Issue(userId, conversationId), tokens.LifetimeSeconds));
    }

    internal static Results<Ok<DirectLineTokenResponse>, ProblemHttpResult> RefreshToken(HttpRequest request, DirectLineTokens tokens, ILogger<DirectLineConversations> logger)
    {
        if (Authorize(request, tokens, conversationId: null, logger, out var grant) is { } refused)
            return refused;
        return TypedResults.Ok(new DirectLineTokenResponse(grant.ConversationId, tokens.Issue(grant.UserId, grant.ConversationId), tokens.LifetimeSeconds));
    }

    internal static async Task<Results<Created<DirectLineConversationResponse>, Ok<DirectLineConversationResponse>, ProblemHttpResult>> StartConversationAsync(
        HttpRequest request, DirectLineTokens tokens, DirectLineConversations conversations, DirectLineTurns turns,
        IOptions<DirectLineOptions> options, IOptions<HostFilteringOptions> allowedHosts, ILogger<DirectLineConversations> logger)
    {
        if (Authorize(request, tokens, conversationId: null, logger, out var grant) is { } refused)
            return refused;

        if (ConversationResponse(request, tokens, grant, watermark: null, options.Value, allowedHosts.Value) is not { } response)
            return HostRefused(logger);
        var (conversation, created) = await conversations.Log.GetOrCreateAsync(grant.ConversationId, grant.UserId, request.HttpContext.RequestAborted);
        if (conversation.UserId != grant.UserId)
            return Refuse(logger, StatusCodes.Status403Forbidden, "Not allowed", "The token does not grant this conversation.");

        if (!created)
            return TypedResults.Ok(response);

        DirectLineLog.ConversationStarted(logger, conversation.Id);
        turns.TryEnqueue(conversation.Id, DirectLineReplySink.ConversationStarted(conversation), sequence: null);
        return TypedResults.Created(Prefix + "/conversations/" + conversation.Id, response);
    }

    internal static async Task<Results<Ok<DirectLineConversationResponse>, ProblemHttpResult>> ResumeConversationAsync(
        string conversationId, string? watermark, HttpRequest request, DirectLineTokens tokens, DirectLineConversations conversations,
        IOptions<DirectLineOptions> options, IOptions<HostFilteringOptions> allowedHosts, ILogger<DirectLineConversations> logger)
    {
        if (Authorize(request, tokens, conversationId, logger, out var grant) is { } refused)
            return refused;
        if (await FindAsync(conversations, grant, logger, request.HttpContext.RequestAborted) is { } missing)
            return missing;
        if (ConversationResponse(request, tokens, grant, watermark, options.Value, allowedHosts.Value) is not { } response)
            return HostRefused(logger);
        return TypedResults.Ok(response);
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetActivitiesAsync(
        string conversationId, string? watermark, HttpRequest request, DirectLineTokens tokens, DirectLineConversations conversations, ILogger<DirectLineConversations> logger)
    {
        if (Authorize(request, tokens, conversationId, logger, out var grant) is { } refused)
            return refused;
        if (await FindAsync(conversations, grant, logger, request.HttpContext.RequestAborted) is { } missing)
            return missing;
        return TypedResults.Text(await conversations.GetActivitySetAsync(conversationId, watermark, request.HttpContext.RequestAborted), "application/json", Encoding.UTF8);
    }

    internal static async Task<Results<Ok<DirectLineResourceResponse>, ProblemHttpResult>> PostActivityAsync(
        string conversationId, HttpRequest request, DirectLineTokens tokens, DirectLineConversations conversations, DirectLineTurns turns,
        TurnQueue queue, AdvisorTexts texts, ILogger<DirectLineConversations> logger)
    {
        if (Authorize(request, tokens, conversationId, logger, out var grant) is { } refused)
            return refused;
        if (await FindAsync(conversations, grant, logger, request.HttpContext.RequestAborted) is { } missing)
            return missing;

        JsonObject? activity;
        try
        {
            activity = await ReadActivityAsync(request);
        }
        catch (JsonException)
        {
            // Never silence: the conversation shows that the message was not understood.
            DirectLineLog.InvalidText(logger, conversationId, "the body is not valid JSON in UTF-8");
            await DirectLineReplySink.RefuseUnreadableAsync(conversations, conversationId, replyToId: null);
            return Refuse(logger, StatusCodes.Status400BadRequest, "Malformed activity", "The body must be one activity as a JSON object in UTF-8.");
        }
        if (!IsWritable(activity))
        {
            // Valid JSON, but a string escapes to a lone surrogate: not text that can be stored or shown.
            DirectLineLog.InvalidText(logger, conversationId, "a string is not valid Unicode text");
            await DirectLineReplySink.RefuseUnreadableAsync(conversations, conversationId, replyToId: null);
            return Refuse(logger, StatusCodes.Status400BadRequest, "Malformed activity", "The activity's strings must be valid Unicode text.");
        }
        if (activity is null || activity["type"] is not JsonValue typeValue || !typeValue.TryGetValue(out string? type) || type.Length == 0)
            return Refuse(logger, StatusCodes.Status400BadRequest, "Malformed activity", "An activity needs a \"type\".");
        if (queue.IsBusy(DirectLineTurns.ConversationKey(conversationId)))
            return Refuse(logger, StatusCodes.Status429TooManyRequests, "Too many questions at once", "Wait for the answers to the earlier questions.");

        // The sender is who the token says, whatever the body claims.
        string? name = activity["from"]?["name"] is JsonValue n && n.TryGetValue(out string? given) ? given : null;
        activity["from"] = new JsonObject { ["id"] = grant.UserId, ["name"] = name ?? "", ["role"] = "user" };
        activity["recipient"] = new JsonObject { ["id"] = DirectLineReplySink.Bot.Id, ["name"] = DirectLineReplySink.Bot.Name, ["role"] = "bot" };
        activity["channelId"] ??= "directline";
        activity.Remove("replyToId");

        // Web Chat shows the message as sent only when it comes back on the stream with an id (the echo); the answer
        // follows on the conversation's work queue. A message is logged as a question awaiting its reply, so that
        // another replica answers it if this one dies first.
        bool question = type == ActivityTypes.Message;
        var logged = await conversations.Log.AppendAsync(conversationId, activity, ClientActivityId(activity), awaitsReply: question, request.HttpContext.RequestAborted);
        var id = DirectLineStamp.ActivityId(conversationId, logged.Activity.Sequence);
        if (!logged.Appended)
            return TypedResults.Ok(new DirectLineResourceResponse(id));
        if (DirectLineReplySink.Read(activity, id) is not { } inbound)
        {
            DirectLineLog.InvalidText(logger, conversationId, "the activity's fields are not of their types");
            await DirectLineReplySink.RefuseUnreadableAsync(conversations, conversationId, id);
            return TypedResults.Ok(new DirectLineResourceResponse(id));
        }
        // The bot's conversation is the Direct Line conversation, whatever ids the body carries.
        inbound.Conversation = new ConversationAccount { Id = conversationId };
        // The user speaks in messages and feedback events; the server alone says who joined.
        if (inbound.Type is not (ActivityTypes.Message or ActivityTypes.Event))
            return TypedResults.Ok(new DirectLineResourceResponse(id));
        if (turns.TryEnqueue(conversationId, inbound, question ? logged.Activity.Sequence : null) != TurnQueueRefusal.None)
            await DirectLineReplySink.RefuseBusyAsync(conversations, conversationId, id, texts.TooManyQuestions);
        return TypedResults.Ok(new DirectLineResourceResponse(id));
    }

    /// <summary>
    /// The WebSocket stream: the activities after the watermark, then each new one, as ActivitySet text frames, with
    /// an empty frame as heartbeat when idle. Authorised by the short-lived token inside the streamUrl.
    /// </summary>
    internal static async Task StreamAsync(
        HttpContext context, string conversationId, DirectLineTokens tokens, DirectLineConversations conversations,
        IOptions<DirectLineOptions> options, IHostApplicationLifetime lifetime, ILogger<DirectLineConversations> logger)
    {
        var grant = tokens.Validate(context.Request.Query["t"], DirectLineTokenScope.Stream);
        if (grant is null || grant.ConversationId != conversationId)
        {
            DirectLineLog.Refused(logger, StatusCodes.Status403Forbidden, "stream token");
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        var conversation = await conversations.Log.GetAsync(conversationId, context.RequestAborted);
        if (conversation is null || conversation.UserId != grant.UserId)
        {
            context.Response.StatusCode = conversation is null ? StatusCodes.Status404NotFound : StatusCodes.Status403Forbidden;
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        string? watermark = context.Request.Query["watermark"];
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        // One stream per conversation: attaching closes the older one (a collision), as Direct Line does.
        using var subscription = conversations.Subscribe(conversationId, watermark);
        var collision = subscription.Collision;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping, collision);
        DirectLineLog.StreamOpened(logger, conversationId, watermark);

        // The receive loop has its own cancellation: cancelling a pending receive aborts the socket, and the close
        // handshake (a collision's status included) must reach the client first.
        using var receive = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var receiving = DrainAsync(socket, receive.Token, stop);
        var heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                wait.CancelAfter(heartbeat);
                bool more;
                try
                {
                    more = await subscription.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    await socket.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, endOfMessage: true, stop.Token);
                    // The fallback should a report of another replica's activity be lost: read the log now and then.
                    subscription.Wake();
                    continue;
                }
                if (!more)
                    break;
                while (subscription.Reader.TryRead(out var frame))
                    await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client went away or the server is stopping.
        }
        finally
        {
            await stop.CancelAsync();
            if (collision.IsCancellationRequested)
            {
                DirectLineLog.StreamCollision(logger, conversationId);
                await CloseQuietlyAsync(socket, WebSocketCloseStatus.PolicyViolation, "collision");
            }
            else
            {
                await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, null);
            }
            // Wait briefly for the client's half of the close handshake, then stop listening.
            await Task.WhenAny(receiving, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
            await receive.CancelAsync();
            await receiving;
            DirectLineLog.StreamClosed(logger, conversationId);
        }
    }

    /// <summary>Reads and ignores what the client sends (its keep-alive pings) until it closes the socket.</summary>
    private static async Task DrainAsync(WebSocket socket, CancellationToken cancellationToken, CancellationTokenSource stop)
    {
        var buffer = new byte[1024];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var received = await socket.ReceiveAsync(buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                    break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Closed.
        }
        await stop.CancelAsync();
    }

    private static async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status, string? description)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(status, description, timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Nothing more to tell a client that is gone.
        }
    }

    private static string? ClientActivityId(JsonObject activity)
        => activity["channelData"]?["clientActivityID"] is JsonValue value && value.TryGetValue(out string? id) && id is { Length: > 0 and <= 128 } ? id : null;

    private static bool IsWritable(JsonObject? activity)
    {
        try
        {
            _ = activity?.ToJsonString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task<JsonObject?> ReadActivityAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            buffer.Write(chunk, 0, read);
        return JsonNode.Parse(buffer.ToArray()) as JsonObject;
    }

    private static DirectLineConversationResponse? ConversationResponse(
        HttpRequest request, DirectLineTokens tokens, DirectLineGrant grant, string? watermark, DirectLineOptions options, HostFilteringOptions allowedHosts)
    {
        // DirectLineJS replaces its token with the one in this response, and opens streamUrl as it is: it must be
        // absolute and carry its own authorisation (the WebSocket request sends no Authorization header). The
        // address comes from DirectLine:PublicBaseUrl, or from a Host that AllowedHosts admits: a forged Host header
        // must not send the stream token elsewhere.
        string origin;
        if (options.PublicBaseUrl.Length > 0)
        {
            var publicBase = new Uri(options.PublicBaseUrl, UriKind.Absolute);
            origin = (publicBase.Scheme == Uri.UriSchemeHttps ? "wss" : "ws") + "://" + publicBase.Authority + publicBase.AbsolutePath.TrimEnd('/');
        }
        else if (IsAllowedHost(request.Host, allowedHosts))
        {
            origin = $"{(request.IsHttps ? "wss" : "ws")}://{request.Host}{request.PathBase}";
        }
        else
        {
            return null;
        }
        var streamUrl = $"{origin}{Prefix}/conversations/{Uri.EscapeDataString(grant.ConversationId)}/stream"
                        + "?t=" + Uri.EscapeDataString(tokens.Issue(grant.UserId, grant.ConversationId, DirectLineTokenScope.Stream))
                        + (string.IsNullOrEmpty(watermark) ? "" : "&watermark=" + Uri.EscapeDataString(watermark));
        return new DirectLineConversationResponse(grant.ConversationId, tokens.Issue(grant.UserId, grant.ConversationId), tokens.LifetimeSeconds, streamUrl);
    }

    private static bool IsAllowedHost(HostString host, HostFilteringOptions options)
    {
        if (!host.HasValue)
            return false;
        var allowed = options.AllowedHosts.Count == 0 ? ["*"] : options.AllowedHosts;
        // The same rule as the host filtering middleware: an exact host, a *.suffix, or * for any.
        return HostString.MatchesAny(new StringSegment(host.Host), [.. allowed.Select(a => new StringSegment(a))]);
    }

    private static ProblemHttpResult HostRefused(ILogger logger)
    {
        DirectLineLog.HostNotAllowed(logger);
        return TypedResults.Problem(title: "Host not allowed", detail: "Set DirectLine:PublicBaseUrl (or AllowedHosts) to the address browsers use.", statusCode: StatusCodes.Status400BadRequest);
    }

    private static ProblemHttpResult? Authorize(HttpRequest request, DirectLineTokens tokens, string? conversationId, ILogger logger, out DirectLineGrant grant)
    {
        grant = null!;
        if (BearerOf(request) is not { } token)
            return Refuse(logger, StatusCodes.Status401Unauthorized, "Token required", "Send Authorization: Bearer <token> (from POST /api/directline/token).");
        if (tokens.Validate(token) is not { } valid)
            return Refuse(logger, StatusCodes.Status403Forbidden, "Token not valid", "The token is expired or not valid; get a new one.");
        if (conversationId is not null && valid.ConversationId != conversationId)
            return Refuse(logger, StatusCodes.Status403Forbidden, "Not allowed", "The token does not grant this conversation.");
        grant = valid;
        return null;
    }

    private static async Task<ProblemHttpResult?> FindAsync(DirectLineConversations conversations, DirectLineGrant grant, ILogger logger, CancellationToken cancellationToken)
    {
        var conversation = await conversations.Log.GetAsync(grant.ConversationId, cancellationToken);
        if (conversation is null)
            return Refuse(logger, StatusCodes.Status404NotFound, "Conversation not found", "The conversation has ended or was never started; start a new one.");
        if (conversation.UserId != grant.UserId)
            return Refuse(logger, StatusCodes.Status403Forbidden, "Not allowed", "The token does not grant this conversation.");
        return null;
    }

    private static ProblemHttpResult Refuse(ILogger logger, int status, string title, string detail)
    {
        DirectLineLog.Refused(logger, status, title);
        return TypedResults.Problem(title: title, detail: detail, statusCode: status);
    }

    private static string? BearerOf(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        return header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    private static bool SecretsEqual(string presented, string secret)
        => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static bool IsValidUserId(string? id)
        => id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@');

    /// <summary>
    /// CORS for browsers on other origins: DirectLineJS sends Authorization, Content-Type, Accept and x-ms-bot-agent.
    /// Bearer tokens, no cookies, so any allowed origin is echoed back.
    /// </summary>
    private static async ValueTask<object?> CorsAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        string? origin = http.Request.Headers.Origin;
        if (!string.IsNullOrEmpty(origin))
        {
            // DirectLine:AllowedOrigins, and the sites of Embed:AllowedOrigins: one rule for every browser origin.
            if (http.RequestServices.GetRequiredService<BrowserOrigins>().MayUseDirectLine(http.Request, origin))
                BrowserOrigins.AllowRead(http.Response, origin);
        }
        return await next(context);
    }

    private static NoContent Preflight(HttpResponse response)
    {
        response.Headers.AccessControlAllowMethods = "GET, POST, OPTIONS";
        response.Headers.AccessControlAllowHeaders = "Authorization, Content-Type, Accept, x-ms-bot-agent";
        response.Headers.AccessControlMaxAge = "600";
        return TypedResults.NoContent();
    }
}

/// <summary>Source-generated JSON for the token claims.</summary>
[JsonSerializable(typeof(DirectLineTokens.TokenClaims))]
internal sealed partial class DirectLineJsonContext : JsonSerializerContext;
