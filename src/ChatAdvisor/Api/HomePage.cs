using Microsoft.Extensions.FileProviders;

namespace ChatAdvisor.Api;

/// <summary>
/// Serves the web chat page at <c>/</c> and its files (the page script, the style sheet and the Web Chat widget
/// bundle that the build copies into <c>wwwroot/lib</c>).
/// </summary>
public static class HomePage
{
    /// <summary>
    /// The folder the page is served from: <c>wwwroot</c> beside the executable (the build and publish copy it there),
    /// so the page is found whichever folder holds appsettings.json.
    /// </summary>
    public static string WebRoot { get; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>Serves the page's static files (the middleware, shown in the application's table of contents).</summary>
    public static IApplicationBuilder UseHomePageFiles(this IApplicationBuilder app)
    {
        var files = new PhysicalFileProvider(Directory.Exists(WebRoot) ? WebRoot : AppContext.BaseDirectory);
        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                // The page changes with each build; revalidate rather than serve a stale copy.
                context.Context.Response.Headers.CacheControl = "no-cache";
            },
        });
    }

    /// <summary>Maps the page at <c>/</c>.</summary>
    public static IEndpointRouteBuilder MapHomePage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => File.Exists(Path.Combine(WebRoot, "index.html"))
            ? Results.File(Path.Combine(WebRoot, "index.html"), "text/html; charset=utf-8")
            : Results.Problem(title: "The web chat page is missing", detail: "Build the project (dotnet build src/ChatAdvisor) to produce wwwroot.", statusCode: StatusCodes.Status500InternalServerError))
            .ExcludeFromDescription();
        return app;
    }
}
