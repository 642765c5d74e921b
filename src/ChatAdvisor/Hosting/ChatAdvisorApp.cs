using ChatAdvisor.Api;
using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Channels.DirectLine;
using ChatAdvisor.Channels.Slack;

namespace ChatAdvisor.Hosting;

/// <summary>Builds the web application: the table of contents of what the server offers.</summary>
public static class ChatAdvisorApp
{
    /// <summary>
    /// Creates the server. <paramref name="configure"/> lets tests replace settings or services before it is built.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = ContentRoot.Locate(),
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")))
            builder.WebHost.UseUrls("http://localhost:5080");

        builder.Services.AddProblemDetails();
        builder.Services.AddChatAdvisor(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddChannels(builder.Configuration);
        builder.Services.AddEmbed();    // Embed:AllowedOrigins: the sites that may show the chat widget (embed.js)
        configure?.Invoke(builder);
        // After the test and host overrides, so the settings read are the ones configured last.
        builder.Services.AddEdgeProtection(builder.Configuration);
        builder.Services.AddTelemetry(builder.Configuration);   // OTLP export only when OTEL_EXPORTER_OTLP_ENDPOINT is set

        var app = builder.Build();
        app.UseForwardedHeaders();      // the client address, from Http:KnownProxies only
        app.UsePageFraming();           // pages and error responses: framed only by the advisor and Embed:AllowedOrigins
        app.UseExceptionHandler();      // storage failures → 503, anything else → 500, as ProblemDetails
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseRequestBodyLimits();     // Http:MaxRequestBodyBytes → 413; Kestrel's bad requests → their 4xx, no stack trace
        app.UseRateLimiter();           // RateLimits: per-client limits on asking and Direct Line
        app.UseWebSockets();            // the Direct Line stream
        app.UseEmbedPage();             // /embed: the widget's panel
        app.UseHomePageFiles();         // the web chat page's files from wwwroot

        app.MapHealth();
        app.MapAsk();
        app.MapAskStream();
        app.MapBotFramework();
        app.MapDirectLine();
        app.MapSlack();
        app.MapEmbed();                 // /api/embed/access, the token's CORS preflight
        app.MapHomePage();
        return app;
    }
}
