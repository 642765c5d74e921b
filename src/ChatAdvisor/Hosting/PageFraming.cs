namespace ChatAdvisor.Hosting;

/// <summary>
/// Who may show the advisor's pages in a frame, told to the browser on every response it may show as a page: the HTML
/// pages (<c>/</c>, <c>/embed</c>, <c>/articles/…</c>) and every error response, whatever its type, since a browser
/// that navigates to a missing or failing address shows the error as the page. One rule for all of them, from
/// <see cref="BrowserOrigins"/>: <c>Content-Security-Policy: frame-ancestors</c> with the advisor itself and the sites
/// in <c>Embed:AllowedOrigins</c>, and <c>X-Frame-Options: SAMEORIGIN</c> for older browsers when no other site may.
/// Other responses (scripts, style sheets, JSON answers, event streams) are not documents and get neither.
/// </summary>
public static class PageFraming
{
    /// <summary>
    /// Adds the framing headers as each response starts (middleware: it stands early in the application's table of
    /// contents, so responses written by the exception handler and the status code pages are covered too).
    /// </summary>
    public static WebApplication UsePageFraming(this WebApplication app)
    {
        var origins = app.Services.GetRequiredService<BrowserOrigins>();
        var policy = "frame-ancestors " + origins.FrameAncestors;
        app.Use((context, next) =>
        {
            var response = context.Response;
            response.OnStarting(() =>
            {
                if (IsHtml(response.ContentType) || response.StatusCode >= StatusCodes.Status400BadRequest)
                    AddFraming(response.Headers, policy, origins.FrameOptions);
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }

    private static void AddFraming(IHeaderDictionary headers, string policy, string? frameOptions)
    {
        // A response that brings a policy of its own keeps it; framing is added unless it already says who may frame.
        string existing = headers.ContentSecurityPolicy.ToString();
        if (existing.Length == 0)
            headers.ContentSecurityPolicy = policy;
        else if (!existing.Contains("frame-ancestors", StringComparison.OrdinalIgnoreCase))
            headers.ContentSecurityPolicy = existing + "; " + policy;
        if (frameOptions is not null)
            headers.XFrameOptions = frameOptions;
    }

    private static bool IsHtml(string? contentType)
        => contentType is not null
            && (contentType.StartsWith("text/html", StringComparison.OrdinalIgnoreCase)
                || contentType.StartsWith("application/xhtml+xml", StringComparison.OrdinalIgnoreCase));
}
