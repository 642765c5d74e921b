using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Hosting;

/// <summary>
/// The one place request bodies are capped and body-reading failures are answered. An endpoint marked with
/// <see cref="WithRequestBodyLimit{TBuilder}"/> accepts at most <see cref="HttpOptions.MaxRequestBodyBytes"/>:
/// a larger Content-Length gets 413 before the endpoint runs, and a chunked body is cut off by the server when it
/// grows past the limit. Whatever endpoint is reading, the server's bad-request failures (too large, truncated,
/// too slow) and a connection reset while reading become their 4xx as ProblemDetails, logged without a stack trace;
/// a request the client abandoned is logged the same way.
/// </summary>
public static class RequestBodyLimits
{
    /// <summary>Caps the request body of the endpoints built by <paramref name="builder"/>.</summary>
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(RequestBodyLimitMetadata.Instance);

    /// <summary>Adds the middleware; it must run after routing (so the endpoint is known) and before the endpoints.</summary>
    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app)
        => app.Use(static (context, next) => InvokeAsync(context, next));

    private static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RequestBodyLimits).FullName!);
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimitMetadata>() is not null)
        {
            long limit = context.RequestServices.GetRequiredService<IOptions<HttpOptions>>().Value.MaxRequestBodyBytes;
            if (context.Request.ContentLength > limit)
            {
                HttpLimitsLog.BodyTooLarge(logger, LogText.Clean(context.Request.Path.Value)!, context.Request.ContentLength.Value, limit);
                await WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, limit);
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                size.MaxRequestBodySize = limit;
        }

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException exception)
        {
            // Kestrel's verdict on the body: 413 (over the limit), 400 (truncated, malformed framing), 408 (too slow).
            HttpLimitsLog.BadRequestBody(logger, LogText.Clean(context.Request.Path.Value)!, exception.StatusCode, exception.GetType().Name);
            if (!context.Response.HasStarted)
                await WriteProblemAsync(context, exception.StatusCode, limit: null);
        }
        catch (ConnectionResetException)
        {
            // The client hung up while sending; nobody may be left to read the answer.
            HttpLimitsLog.ConnectionClosed(logger, LogText.Clean(context.Request.Path.Value)!);
            if (!context.Response.HasStarted)
                await WriteProblemAsync(context, StatusCodes.Status400BadRequest, limit: null);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client closed the connection (a truncated body often ends this way): an ordinary event, not a failure.
            HttpLimitsLog.ConnectionClosed(logger, LogText.Clean(context.Request.Path.Value)!);
        }
    }

    private static async Task WriteProblemAsync(HttpContext context, int status, long? limit)
    {
        var (title, detail) = status switch
        {
            StatusCodes.Status413PayloadTooLarge => ("Request body too large",
                limit is { } bytes ? $"The body may be at most {bytes} bytes." : "The body is larger than this endpoint accepts."),
            StatusCodes.Status408RequestTimeout => ("Request body too slow", "The body did not arrive in time."),
            _ => ("Bad request body", "The body could not be read completely (truncated or malformed framing)."),
        };
        context.Response.Clear();
        context.Response.StatusCode = status;
        // The rest of a body that was refused is not read: close the connection rather than drain it.
        context.Response.Headers.Connection = "close";
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private sealed class RequestBodyLimitMetadata
    {
        public static readonly RequestBodyLimitMetadata Instance = new();
    }
}

/// <summary>Log messages of the request limits. Paths are server routes; no body content is ever logged.</summary>
internal static partial class HttpLimitsLog
{
    [LoggerMessage(7201, LogLevel.Information, "Request to {Path} refused with 413: Content-Length {Length} is over the {Limit}-byte limit")]
    public static partial void BodyTooLarge(ILogger logger, string path, long length, long limit);

    [LoggerMessage(7202, LogLevel.Information, "Request to {Path} answered {StatusCode}: its body could not be read ({Reason})")]
    public static partial void BadRequestBody(ILogger logger, string path, int statusCode, string reason);

    [LoggerMessage(7203, LogLevel.Information, "Request to {Path} ended early: the client closed the connection")]
    public static partial void ConnectionClosed(ILogger logger, string path);
}
