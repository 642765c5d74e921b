using ChatAdvisor.Core;
using ChatAdvisor.Core.Conversations;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatAdvisor.Storage;

/// <summary>Chooses where conversations and the channels' shared state live (<c>Storage:Provider</c>).</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>The connection string's name: <c>ConnectionStrings:Postgres</c> (environment <c>ConnectionStrings__Postgres</c>).</summary>
    public const string ConnectionStringName = "Postgres";

    /// <summary>
    /// With <c>Storage:Provider=postgres</c>, registers the shared PostgreSQL database and its conversation store ahead of
    /// the embedded default; otherwise leaves the embedded SQLite store in place.
    /// </summary>
    /// <exception cref="InvalidOperationException">The provider is postgres but no connection string is configured.</exception>
    public static IServiceCollection AddSharedStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        if (!storage.UsesPostgres)
        {
            services.TryAddSingleton<IChannelMemory, InMemoryChannelMemory>();
            return services;
        }
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Storage:Provider is 'postgres' but ConnectionStrings:Postgres is not set (environment: ConnectionStrings__Postgres=Host=…;Database=…).");
        }
        services.AddSingleton(sp => new PostgresDatabase(connectionString, sp.GetRequiredService<ILogger<PostgresDatabase>>()));
        services.AddSingleton<PostgresConversationStore>();
        services.AddSingleton<IConversationStore>(sp => sp.GetRequiredService<PostgresConversationStore>());
        services.AddSingleton<PostgresChannelMemory>();
        services.AddSingleton<IChannelMemory>(sp => sp.GetRequiredService<PostgresChannelMemory>());
        return services;
    }
}
