using System.Text.Json;
using System.Text.Json.Serialization;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatAdvisor.Api;

/// <summary>The body of <c>POST /api/ask</c>.</summary>
public sealed record AskRequest(string? Question, string? ConversationId);

/// <summary>A citation as the public contract shows it.</summary>
public sealed record AskCitation(int Id, string DocumentId, string Title, string? Section, string Quote);

/// <summary>The response of <c>POST /api/ask</c> and of <c>ask --json</c>: exactly the contract in the design.</summary>
public sealed record AskResponse(string ConversationId, string Answer, bool Grounded, IReadOnlyList<AskCitation> Citations, IReadOnlyList<string> Suggestions)
{
    /// <summary>Maps the advisor's answer to the public contract, with the conversation id as the client sent it.</summary>
    public static AskResponse From(AdvisorAnswer answer) => new(
        ConversationIds.FromApi(answer.ConversationId),
        answer.Text,
        answer.Grounded,
        [.. answer.Citations.Select(c => new AskCitation(c.Id, c.DocumentId, c.Title, c.Section, c.Quote))],
        answer.Suggestions);
}

/// <summary>JSON settings shared by the HTTP API and the CLI so both print the same object.</summary>
public static class ApiJson
{
    /// <summary>camelCase, nulls written, compact.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}

/// <summary>Maps <c>POST /api/ask</c>.</summary>
public static class AskApi
{
    /// <summary>Maps the ask endpoint.</summary>
    public static IEndpointRouteBuilder MapAsk(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api");
        group.MapPost("/ask", AskAsync)
            .WithRequestBodyLimit()
            .Accepts<AskRequest>("application/json")
            .Produces<AskResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireRateLimiting(RateLimitPolicies.Ask);
        return app;
    }

    internal static async Task<Results<Ok<AskResponse>, ProblemHttpResult>> AskAsync(
        HttpRequest request, Advisor advisor, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAskRequestAsync(request, cancellationToken);
        if (problem is not null)
            return problem;

        var conversationId = body!.ConversationId ?? ConversationIds.New();
        var answer = await advisor.AskAsync(body.Question!, ConversationIds.ForApi(conversationId), ClientOf(request), cancellationToken);
        return TypedResults.Ok(AskResponse.From(answer));
    }

    /// <summary>The client a conversation started through the API belongs to (for the per-client conversation cap).</summary>
    internal static string ClientOf(HttpRequest request) => "ip:" + RateLimitPolicies.ClientKey(request.HttpContext);

    /// <summary>Reads and validates an ask body; returns a ProblemDetails result on bad input.</summary>
    internal static async Task<(AskRequest? Body, ProblemHttpResult? Problem)> ReadAskRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(
                title: "Unsupported content type",
                detail: "Send the question as JSON with Content-Type: application/json, for example {\"question\": \"Which framework for an API?\"}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        AskRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<AskRequest>(request.Body, ApiJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
            return (null, BadRequest("Malformed JSON", "The body is not valid JSON. Expected {\"question\": \"…\", \"conversationId\": \"optional\"}."));
        }

        if (body is null)
            return (null, BadRequest("Malformed JSON", "The body must be a JSON object with a \"question\" field."));

        if (QuestionRules.Validate(body.Question) is { } message)
            return (null, BadRequest("Invalid question", message));

        if (body.ConversationId is not null && !ConversationIds.IsValid(body.ConversationId))
        {
            return (null, BadRequest("Invalid conversation id",
                $"conversationId must be 1–{ConversationIds.MaxLength} characters of letters, digits and - _ . : @ ;"));
        }

        return (body, null);
    }

    private static ProblemHttpResult BadRequest(string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);
}
