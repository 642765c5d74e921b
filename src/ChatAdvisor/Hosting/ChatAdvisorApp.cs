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
        builder.Services.AddOptions<HttpLimitsOptions>()
            .BindConfiguration(HttpLimitsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddChatAdvisor(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddChannels(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestBodyLimits();

        app.MapHealth();
        app.MapAsk();
        app.MapAskStream();
        app.MapBotFramework();
        app.MapDirectLine();
        app.MapSlack();
        app.MapHomePage();
        return app;
    }
}
