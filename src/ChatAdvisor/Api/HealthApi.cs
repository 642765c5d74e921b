using ChatAdvisor.Core;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatAdvisor.Api;

/// <summary>Maps <c>/healthz</c> (the process is up) and <c>/readyz</c> (the index is loaded and the advisor can answer).</summary>
public static class HealthApi
{
    /// <summary>Maps the health endpoints.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));
        app.MapGet("/readyz", ReadyAsync);
        return app;
    }

    private static Results<Ok<ReadinessReport>, JsonHttpResult<ReadinessReport>> ReadyAsync(ReadinessReporter readiness)
    {
        var report = readiness.Report();
        return report.Ready ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
