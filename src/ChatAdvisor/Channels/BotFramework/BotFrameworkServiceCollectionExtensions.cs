using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>Registers the Bot Framework channel.</summary>
public static class BotFrameworkServiceCollectionExtensions
{
    /// <summary>Adds the <c>BotFramework</c> options, the token validator and client, the Connector client and the reply queue.</summary>
    public static IServiceCollection AddBotFramework(this IServiceCollection services)
    {
        services.AddOptions<BotFrameworkOptions>()
            .BindConfiguration(BotFrameworkOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(OpenIdMetadataCache.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        // The token and the Connector clients carry credentials: a redirect must not take them anywhere else.
        services.AddHttpClient(BotTokenClient.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddHttpClient(ConnectorClient.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });

        services.TryAddSingleton<ChannelTokenValidator>();
        services.TryAddSingleton<BotTokenClient>();
        services.TryAddSingleton<ConnectorClient>();
        services.TryAddSingleton<RecentActivities>();
        services.TryAddSingleton<BotTurnHandler>();
        services.TryAddSingleton<BotReplyQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<BotReplyQueue>());
        return services;
    }
}
