using ChatAdvisor.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Api;

/// <summary>
/// The chat widget for other sites. <c>/embed.js</c> (a static file) adds a launcher button to the host page and, when
/// it is clicked, a panel framing <c>/embed</c>: the advisor's own web chat page in its embed mode, so the panel runs on
/// the advisor's origin, isolated from the host page, on the same conversation path as <c>/</c>. Which sites may do so
/// is <c>Embed:AllowedOrigins</c>, enforced by the browser (<c>frame-ancestors</c>, CORS) and by the server (token
/// requests from other origins get a 403). See docs/embed.md.
/// </summary>
public static class EmbedEndpoints
{
    /// <summary>The embed check's route: may the calling page's origin show the widget?</summary>
    public const string AccessPath = "/api/embed/access";

    /// <summary>Adds the <c>Embed</c> options (validated at start) and the origin rules.</summary>
    public static IServiceCollection AddEmbed(this IServiceCollection services)
    {
        services.AddOptions<EmbedOptions>()
            .BindConfiguration(EmbedOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<BrowserOrigins>();
        return services;
    }

    /// <summary>
    /// Serves the panel page at <c>/embed</c> (middleware: it stands in the application's table of contents, before
    /// <see cref="HomePage.UseHomePageFiles"/>, whose static files middleware then serves the page). Like every page, it
    /// may be framed only by the sites in <c>Embed:AllowedOrigins</c> and the advisor itself (<see cref="PageFraming"/>).
    /// </summary>
    public static WebApplication UseEmbedPage(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            // The page is embed.html among the static files.
            if (context.GetEndpoint() is null && context.Request.Path == "/embed")
                context.Request.Path = "/embed.html";
            return next(context);
        });
        return app;
    }

    /// <summary>Maps the embed check and the token endpoint's CORS preflight.</summary>
    public static WebApplication MapEmbed(this WebApplication app)
    {
        app.MapGet(AccessPath, Access).ExcludeFromDescription();
        app.MapMethods("/api/directline/token", [HttpMethods.Options], TokenPreflight).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Refuses, with a 403, a request that a browser sent from a page whose origin may not embed the chat (the
    /// <c>Origin</c> header), and lets an allowed other origin read the response. Requests without an <c>Origin</c>
    /// (a server, a same-origin GET) pass: the check keeps other sites' pages out, not other programs.
    /// </summary>
    public static RouteHandlerBuilder RequireEmbeddingOrigin(this RouteHandlerBuilder builder)
        => builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (Refusal(http, "get a chat token from") is { } refused)
                return refused;
            return await next(context);
        });

    /// <summary>204 when the calling page's origin may show the widget, else a 403 that the page can read and report.</summary>
    internal static Results<NoContent, ProblemHttpResult> Access(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        return Refusal(http, "show the chat widget of") is { } refused ? refused : TypedResults.NoContent();
    }

    internal static Results<NoContent, ProblemHttpResult> TokenPreflight(HttpContext http)
    {
        if (Refusal(http, "get a chat token from") is { } refused)
            return refused;
        http.Response.Headers.AccessControlAllowMethods = "POST, OPTIONS";
        http.Response.Headers.AccessControlAllowHeaders = "Accept, Content-Type";
        http.Response.Headers.AccessControlMaxAge = "600";
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult? Refusal(HttpContext http, string what)
    {
        string? origin = http.Request.Headers.Origin;
        if (string.IsNullOrEmpty(origin))
            return null;
        var origins = http.RequestServices.GetRequiredService<BrowserOrigins>();
        var own = origins.IsOwn(http.Request, origin);
        // Readable by the calling page even when refused, so the widget can say why in the browser console.
        if (!own)
            BrowserOrigins.AllowRead(http.Response, origin);
        if (own || origins.MayEmbed(http.Request, origin))
            return null;

        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EmbedEndpoints));
        EmbedLog.OriginRefused(logger, LogText.Clean(origin) ?? "", what);
        return TypedResults.Problem(
            title: "Origin not allowed",
            detail: $"Pages on {origin} may not {what} this advisor. Its operator can add the origin to Embed:AllowedOrigins.",
            statusCode: StatusCodes.Status403Forbidden);
    }
}

/// <summary>Log messages of the embedded widget.</summary>
internal static partial class EmbedLog
{
    [LoggerMessage(7301, LogLevel.Information, "Embed: a page on {Origin} may not {What} this advisor (not in Embed:AllowedOrigins)")]
    public static partial void OriginRefused(ILogger logger, string origin, string what);
}
