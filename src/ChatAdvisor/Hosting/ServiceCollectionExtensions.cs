using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Channels.DirectLine;
using ChatAdvisor.Channels.Slack;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Embeddings;
using ChatAdvisor.Llm;

namespace ChatAdvisor.Hosting;

/// <summary>Registers the advisor and its host-side services.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>Adds the core advisor (index, retrieval, answering, conversations) bound to configuration.</summary>
    public static IServiceCollection AddChatAdvisor(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddChatAdvisorCore(configuration, contentRoot);
        services.AddBertEmbeddings(configuration, contentRoot);
        services.AddBotFramework();
        services.AddDirectLine(configuration);
        services.AddLlm(contentRoot);
        services.AddSlack();
        return services;
    }
}
