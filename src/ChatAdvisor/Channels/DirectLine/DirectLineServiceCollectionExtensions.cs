using ChatAdvisor.Core;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Storage;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.DirectLine;

/// <summary>Registers the Direct Line channel.</summary>
public static class DirectLineServiceCollectionExtensions
{
    /// <summary>Adds the Direct Line options (section <c>DirectLine</c>), tokens and conversations.</summary>
    public static IServiceCollection AddDirectLine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DirectLineOptions>()
            .BindConfiguration(DirectLineOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<DirectLineSigningKey>();
        services.AddSingleton<IReadinessContributor>(sp => sp.GetRequiredService<DirectLineSigningKey>());
        services.AddSingleton<DirectLineTokens>();
        services.AddOptions<DirectLineOptions>()
            .Validate<IOptions<StorageOptions>>((directLine, storage) => !storage.Value.UsesPostgres || directLine.SigningKey.Length > 0,
                "DirectLine:SigningKey must be set when Storage:Provider is postgres: every replica signs and checks the web chat's tokens with it (openssl rand -base64 32).");
        services.AddSingleton<IDirectLineLog>(sp =>
        {
            var directLine = sp.GetRequiredService<IOptions<DirectLineOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            return StorageServiceCollectionExtensions.UsesPostgres(sp)
                ? new PostgresDirectLineLog(sp.GetRequiredService<PostgresDatabase>(), time, directLine.MaxActivitiesPerConversation,
                    TimeSpan.FromSeconds(directLine.TurnLeaseSeconds), sp.GetRequiredService<ILogger<PostgresDirectLineLog>>())
                : new InMemoryDirectLineLog(time, directLine.MaxActivitiesPerConversation, directLine.MaxConversations);
        });
        services.AddSingleton<DirectLineConversations>();
        services.AddSingleton<DirectLineTurns>();
        services.AddHostedService(sp => sp.GetRequiredService<DirectLineTurns>());
        return services;
    }
}
