using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>Registers the Bot Framework channel.</summary>
public static class BotFrameworkServiceCollectionExtensions
{
    /// <summary>Adds the <c>BotFramework</c> options, the token validator and client, the Connector client with its retries, and the turn handler.</summary>
    public static IServiceCollection AddBotFramework(this IServiceCollection services)
    {
        services.AddOptions<BotFrameworkOptions>()
            .BindConfiguration(BotFrameworkOptions.SectionName)
            // Local mode is for a developer's machine: unless set explicitly, it is on in Development only.
            .PostConfigure<IHostEnvironment>((options, environment) => options.LocalMode ??= environment.IsDevelopment())
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(OpenIdMetadataCache.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        // The token and the Connector clients carry credentials: a redirect must not take them anywhere else.
        services.AddHttpClient(BotTokenClient.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        // The pipeline limits each attempt (ConnectorClient.AttemptTimeout); an overall limit would cut the retry waits short.
        services.AddHttpClient(ConnectorClient.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .AddResilienceHandler(ConnectorClient.PipelineName, (builder, context) => ConnectorClient.AddReplyRetry(
                builder,
                context.ServiceProvider.GetRequiredService<BotTokenClient>(),
                context.ServiceProvider.GetRequiredService<IOptions<BotFrameworkOptions>>(),
                context.ServiceProvider.GetRequiredService<TimeProvider>(),
                context.ServiceProvider.GetRequiredService<ILogger<ConnectorClient>>()));

        services.TryAddSingleton<ChannelTokenValidator>();
        services.TryAddSingleton<BotTokenClient>();
        services.TryAddSingleton<ConnectorClient>();
        services.TryAddSingleton<RecentActivities>();
        services.TryAddSingleton<BotTurnHandler>();
        return services;
    }
}
