using System.Runtime.CompilerServices;
using ChatAdvisor.Hosting;

namespace ChatAdvisor.Api;

/// <summary>
/// Serves the web chat page at <c>/</c>, its files (the page script, the style sheet and the Web Chat widget bundle
/// that the build copies into <c>wwwroot/lib</c>) and the article pages its citations open.
/// </summary>
public static class HomePage
{
    /// <summary>
    /// The folder the page is served from: <c>wwwroot</c> beside the executable (the build and publish copy it there),
    /// so the page is found whichever folder holds appsettings.json.
    /// </summary>
    public static string WebRoot { get; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");

    // The files are read once per application; the middleware and the routes share them.
    private static readonly ConditionalWeakTable<WebApplication, StaticAssets> Assets = new();

    /// <summary>
    /// Serves the page's static files (middleware: it stands in the application's table of contents). Each file is
    /// sent compressed (Brotli or gzip, as the browser accepts) with an ETag; the page links to its files by content
    /// version (<c>?v=</c>), and those responses may be cached for a year. See <see cref="StaticAssets"/>. Runs after
    /// routing: a request that matched an endpoint is left to it.
    /// </summary>
    public static WebApplication UseHomePageFiles(this WebApplication app)
    {
        var assets = Assets.GetValue(app, _ => new StaticAssets(WebRoot));
        app.Use((context, next) =>
        {
            if (context.GetEndpoint() is null
                && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                && context.Request.Path.Value is { Length: > 1 } path
                && assets.Find(path) is { } asset)
                return asset.WriteAsync(context);
            return next(context);
        });
        return app;
    }

    /// <summary>Maps the page at <c>/</c> and the article pages its citations open.</summary>
    public static WebApplication MapHomePage(this WebApplication app)
    {
        var assets = Assets.GetValue(app, _ => new StaticAssets(WebRoot));
        app.MapGet("/", (HttpContext context) => assets.Find("index.html") is { } page
            ? page.WriteAsync(context)
            : Results.Problem(title: "The web chat page is missing", detail: "Build the project (dotnet build src/ChatAdvisor) to produce wwwroot.", statusCode: StatusCodes.Status500InternalServerError).ExecuteAsync(context))
            .ExcludeFromDescription();
        app.MapArticlePages(assets);
        return app;
    }
}
