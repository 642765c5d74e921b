using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatAdvisor.Api;

/// <summary>A piece of a streamed answer, the data of a <c>delta</c> event.</summary>
public sealed record AskStreamDelta(string Text);

/// <summary>
/// Maps <c>POST /api/ask/stream</c>: the same request as <c>/api/ask</c>, answered as server-sent events —
/// <c>delta</c> events (<c>{"text": "…"}</c>) while the language model writes, then one <c>answer</c> event whose
/// data is exactly the <c>/api/ask</c> response. Bad input gets the same 400/415 ProblemDetails before any event.
/// </summary>
public static class AskStreamApi
{
    /// <summary>The event carrying a piece of text.</summary>
    public const string DeltaEvent = "delta";

    /// <summary>The last event: the finished answer.</summary>
    public const string AnswerEvent = "answer";

    /// <summary>Sent instead of <see cref="AnswerEvent"/> when answering failed after the stream began.</summary>
    public const string ErrorEvent = "error";

    /// <summary>Maps the streaming ask endpoint.</summary>
    public static IEndpointRouteBuilder MapAskStream(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/ask/stream", AskStreamAsync)
            .WithRequestBodyLimit()
            .Accepts<AskRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(RateLimitPolicies.Ask);
        return app;
    }

    internal static async Task<Results<ServerSentEventsResult<string>, ProblemHttpResult>> AskStreamAsync(
        HttpRequest request, Advisor advisor, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (body, problem) = await AskApi.ReadAskRequestAsync(request, cancellationToken);
        if (problem is not null)
            return problem;
        var logger = loggers.CreateLogger(typeof(AskStreamApi));
        return TypedResults.ServerSentEvents(EventsAsync(advisor, body!, AskApi.ClientOf(request), logger, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(Advisor advisor, AskRequest body, string client, ILogger logger,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var updates = advisor.AskStreamingAsync(body.Question!, ConversationIds.ForApi(body.ConversationId ?? ConversationIds.New()), client, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                AskUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync())
                        yield break;
                    update = updates.Current;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The status line is already sent, so the failure becomes an event; its text never reaches the client.
                    AskStreamLog.StreamFailed(logger, exception);
                    break;
                }
                yield return update switch
                {
                    AnswerDelta delta => new SseItem<string>(JsonSerializer.Serialize(new AskStreamDelta(delta.Text), ApiJson.Options), DeltaEvent),
                    AnswerCompleted completed => new SseItem<string>(JsonSerializer.Serialize(AskResponse.From(completed.Answer), ApiJson.Options), AnswerEvent),
                    _ => throw new InvalidOperationException($"Unknown update {update.GetType().Name}."),
                };
            }
        }
        finally
        {
            await updates.DisposeAsync();
        }
        yield return new SseItem<string>("{\"title\":\"The answer could not be completed. Try again.\"}", ErrorEvent);
    }
}
