using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.Slack;

/// <summary>Registers the Slack channel.</summary>
public static class SlackServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Slack channel: <see cref="SlackOptions"/> bound to the <c>Slack</c> section and validated at start,
    /// the signature verifier, the Web API client with its rate-limit retries, and the responder that answers through the channel-turn service.
    /// </summary>
    public static IServiceCollection AddSlack(this IServiceCollection services)
    {
        services.AddOptions<SlackOptions>()
            .BindConfiguration(SlackOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SlackSignatureVerifier>();
        services.AddSingleton<SlackDeliveries>();
        services.AddSingleton<SlackThreads>();
        services.AddTransient<SlackResponder>();
        services.AddSingleton<SlackInbox>();
        services.AddHttpClient<SlackWebApiClient>((sp, client) =>
        {
            client.BaseAddress = sp.GetRequiredService<IOptions<SlackOptions>>().Value.ApiBaseUri;
            // The pipeline limits each attempt (SlackWebApiClient.AttemptTimeout); an overall limit would cut rate-limit waits short.
            client.Timeout = Timeout.InfiniteTimeSpan;
        })
        .AddResilienceHandler(SlackWebApiClient.PipelineName, (builder, context) => SlackWebApiClient.AddRateLimitRetry(
            builder,
            context.ServiceProvider.GetRequiredService<TimeProvider>(),
            context.ServiceProvider.GetRequiredService<ILogger<SlackWebApiClient>>()));
        return services;
    }
}
