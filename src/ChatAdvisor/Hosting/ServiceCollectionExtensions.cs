using ChatAdvisor.Channels;
using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Channels.DirectLine;
using ChatAdvisor.Channels.Slack;
using ChatAdvisor.Core;
using ChatAdvisor.Llm;
using ChatAdvisor.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatAdvisor.Hosting;

/// <summary>Registers the advisor and its host-side services.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds what answering needs, for the server and the CLI verbs alike: the core advisor (index, retrieval,
    /// answering, conversations in the configured storage), the configured embeddings and the language model when one is configured.
    /// </summary>
    public static IServiceCollection AddChatAdvisor(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        // Before the core, whose embedded conversation store is only the default.
        services.AddSharedStorage();
        services.AddChatAdvisorCore(configuration, contentRoot);
        services.AddLlm(contentRoot);
        return services;
    }

    /// <summary>Adds the channels the server speaks (Teams, Web Chat, Slack); the CLI verbs do without them.</summary>
    public static IServiceCollection AddChannels(this IServiceCollection services, IConfiguration configuration)
    {
        // The one conversation path every channel goes through: its texts, its turn service and its work queue.
        services.AddOptions<ChannelsOptions>()
            .BindConfiguration(ChannelsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AdvisorTexts>();
        services.AddSingleton<ChannelTurns>();
        services.AddSingleton<TurnQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<TurnQueue>());
        services.AddBotFramework();
        services.AddDirectLine(configuration);
        services.AddSlack();
        return services;
    }
}
