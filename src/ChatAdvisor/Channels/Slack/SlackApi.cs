using System.Text;
using System.Text.Json;
using ChatAdvisor.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace ChatAdvisor.Channels.Slack;

/// <summary>
/// Maps <c>POST /api/slack/events</c> (Events API) and <c>POST /api/slack/interactions</c> (button clicks). Both read
/// the raw body, check its Slack signature before anything else (401 otherwise, nothing processed), acknowledge at
/// once and leave the answering to the one work queue (<see cref="TurnQueue"/>).
/// </summary>
public static class SlackApi
{
    /// <summary>Maps the Slack endpoints.</summary>
    public static IEndpointRouteBuilder MapSlack(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/slack");
        // Slack's payloads are a few kilobytes; the common body cap (Http:MaxRequestBodyBytes) applies.
        group.MapPost("/events", EventsAsync).WithRequestBodyLimit();
        group.MapPost("/interactions", InteractionsAsync).WithRequestBodyLimit();
        return app;
    }

    internal static async Task<Results<Ok, ContentHttpResult, UnauthorizedHttpResult, ProblemHttpResult>> EventsAsync(
        HttpRequest request, SlackSignatureVerifier verifier, SlackInbox inbox, ILogger<SlackInbox> logger, CancellationToken cancellationToken)
    {
        var (body, refusal) = await ReadVerifiedAsync(request, verifier, logger, cancellationToken);
        if (refusal is not null)
            return refusal;

        SlackEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<SlackEnvelope>(body, SlackJson.Options);
        }
        catch (JsonException)
        {
            envelope = null;
        }
        if (envelope is null)
            return Malformed(request, logger);

        if (envelope.Type == "url_verification")
        {
            SlackLog.UrlVerified(logger);
            return TypedResults.Content(envelope.Challenge ?? "", "text/plain");
        }

        var outcome = await inbox.AcceptEventAsync(envelope, Header(request, "X-Slack-Retry-Num"), Header(request, "X-Slack-Retry-Reason"), cancellationToken);
        return Acknowledge(outcome);
    }

    internal static async Task<Results<Ok, ContentHttpResult, UnauthorizedHttpResult, ProblemHttpResult>> InteractionsAsync(
        HttpRequest request, SlackSignatureVerifier verifier, SlackInbox inbox, ILogger<SlackInbox> logger, CancellationToken cancellationToken)
    {
        var (body, refusal) = await ReadVerifiedAsync(request, verifier, logger, cancellationToken);
        if (refusal is not null)
            return refusal;

        SlackInteraction? interaction = null;
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        if (form.TryGetValue("payload", out var payload) && payload.Count == 1)
        {
            try
            {
                interaction = JsonSerializer.Deserialize<SlackInteraction>(payload[0]!, SlackJson.Options);
            }
            catch (JsonException)
            {
                interaction = null;
            }
        }
        if (interaction is null)
            return Malformed(request, logger);

        return Acknowledge(await inbox.AcceptInteractionAsync(interaction, cancellationToken));
    }

    private static Results<Ok, ContentHttpResult, UnauthorizedHttpResult, ProblemHttpResult> Acknowledge(SlackDeliveryOutcome outcome)
        => outcome == SlackDeliveryOutcome.Busy
            ? TypedResults.Problem(title: "Busy", detail: "Too many questions are waiting; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok();

    /// <summary>Reads the raw body (the signature covers its exact bytes) and checks the signature.</summary>
    private static async Task<(byte[] Body, Results<Ok, ContentHttpResult, UnauthorizedHttpResult, ProblemHttpResult>? Refusal)> ReadVerifiedAsync(
        HttpRequest request, SlackSignatureVerifier verifier, ILogger logger, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            buffer.Write(chunk, 0, read);
        var body = buffer.ToArray();

        var status = verifier.Verify(Header(request, "X-Slack-Request-Timestamp"), Header(request, "X-Slack-Signature"), body);
        if (status == SlackSignatureStatus.Valid)
            return (body, null);
        if (status == SlackSignatureStatus.NotConfigured)
            SlackLog.NotConfigured(logger, request.Path);
        else
            SlackLog.SignatureRejected(logger, request.Path, status);
        return ([], TypedResults.Unauthorized());
    }

    private static string? Header(HttpRequest request, string name)
        => request.Headers.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    private static ProblemHttpResult Malformed(HttpRequest request, ILogger logger)
    {
        SlackLog.MalformedPayload(logger, request.Path);
        return TypedResults.Problem(title: "Malformed Slack payload", detail: "The body is not a Slack Events API or interactivity payload.", statusCode: StatusCodes.Status400BadRequest);
    }
}
