using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>
/// <c>POST /api/messages</c>: the Bot Framework v3 messaging endpoint. It authenticates the channel, answers at
/// once and sends replies to the Connector in the background (or in the response for <c>expectReplies</c>).
/// </summary>
public static class BotFrameworkApi
{
    // Activities are small; a Teams message with cards stays far below this.
    private const int MaxBodyBytes = 256 * 1024;

    /// <summary>The route the channel posts to.</summary>
    public const string Route = "/api/messages";

    /// <summary>Maps the messaging endpoint.</summary>
    public static IEndpointRouteBuilder MapBotFramework(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, HandleAsync)
            .Accepts<Activity>("application/json")
            .Produces(StatusCodes.Status200OK)
            .Produces<ExpectedReplies>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .Produces(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    internal static async Task<Results<Ok, JsonHttpResult<object>, ProblemHttpResult, UnauthorizedHttpResult, StatusCodeHttpResult>> HandleAsync(
        HttpContext context,
        ChannelTokenValidator validator,
        BotTurnHandler handler,
        BotReplyQueue queue,
        ConnectorClient connector,
        RecentActivities recent,
        IOptions<BotFrameworkOptions> options,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger(typeof(BotFrameworkApi).FullName!);
        var request = context.Request;
        if (request.ContentLength > MaxBodyBytes)
            return Problem(StatusCodes.Status400BadRequest, "Activity too large", $"An activity may be at most {MaxBodyBytes} bytes.");

        Activity? activity;
        try
        {
            activity = await JsonSerializer.DeserializeAsync<Activity>(new LimitedStream(request.Body, MaxBodyBytes), BotJson.Options, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed activity", "The body must be one Bot Framework activity as JSON.");
        }
        if (activity is null)
            return Problem(StatusCodes.Status400BadRequest, "Malformed activity", "The body must be one Bot Framework activity as JSON.");

        // Authenticate before anything else is looked at: a refused request has no effect at all.
        if (options.Value.AuthenticationEnabled)
        {
            var check = await validator.ValidateAsync(request.Headers.Authorization.ToString(), activity, cancellationToken);
            if (!check.IsValid)
            {
                BotFrameworkLog.Unauthorized(logger, check.Failure!, activity.Id);
                return TypedResults.Unauthorized();
            }
        }
        else if (context.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            // Without an App ID there is no way to tell a channel from anyone else: local use only.
            BotFrameworkLog.Unauthorized(logger, "no App ID configured and the caller is not on this machine", activity.Id);
            return TypedResults.Unauthorized();
        }

        if (string.IsNullOrEmpty(activity.Type) || string.IsNullOrEmpty(activity.Conversation?.Id))
            return Problem(StatusCodes.Status400BadRequest, "Invalid activity", "An activity needs a type and a conversation id.");

        BotFrameworkLog.Received(logger, activity.Type, activity.Id, activity.ChannelId);
        var expectReplies = string.Equals(activity.DeliveryMode, "expectReplies", StringComparison.OrdinalIgnoreCase);

        if (activity.Type == ActivityTypes.Invoke)
        {
            if (activity.Name != "message/submitAction")
                return TypedResults.StatusCode(StatusCodes.Status501NotImplemented);
            if (recent.TryClaim(activity))
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
                options.Value.AuthenticationEnabled
                    ? "Replies go only to https service URLs."
                    : "With BotFramework:AppId empty, replies go only to loopback service URLs (local use).");
        }

        if (!recent.TryClaim(activity))
        {
            BotFrameworkLog.Duplicate(logger, activity.Id);
            return expectReplies ? TypedResults.Json<object>(new ExpectedReplies(), BotJson.Options) : TypedResults.Ok();
        }

        if (expectReplies)
        {
            var sink = new CollectingReplySink();
            await handler.HandleAsync(activity, sink, cancellationToken);
            return TypedResults.Json<object>(new ExpectedReplies { Activities = [.. sink.Replies] }, BotJson.Options);
        }

        if (!queue.TryEnqueue(activity))
        {
            recent.Release(activity);
            BotFrameworkLog.QueueFull(logger, activity.Id);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Busy", "Too many activities are waiting; please retry.");
        }
        return TypedResults.Ok();
    }

    private static ProblemHttpResult Problem(int status, string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: status);

    /// <summary>A read-only view of a stream that fails once more than a given number of bytes is read.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            if (_read > limit)
                throw new InvalidDataException("The body is too large.");
            return read;
        }
    }
}
