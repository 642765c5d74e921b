using ChatAdvisor.Core;
using ChatAdvisor.Core.Conversations;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Storage;

/// <summary>Chooses where conversations and the channels' shared state live (<c>Storage:Provider</c>).</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>The connection string's name: <c>ConnectionStrings:Postgres</c> (environment <c>ConnectionStrings__Postgres</c>).</summary>
    public const string ConnectionStringName = "Postgres";

    /// <summary>
    /// Registers both storages and resolves <see cref="IConversationStore"/> and <see cref="IChannelMemory"/> from
    /// <c>Storage:Provider</c> when they are first needed (so settings added after registration still count): the
    /// embedded SQLite store and in-process memory by default, the shared PostgreSQL database with <c>postgres</c>.
    /// </summary>
    public static IServiceCollection AddSharedStorage(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException(
                    "Storage:Provider is 'postgres' but ConnectionStrings:Postgres is not set (environment: ConnectionStrings__Postgres=Host=…;Database=…).");
            }
            return new PostgresDatabase(connectionString, sp.GetRequiredService<ILogger<PostgresDatabase>>());
        });
        services.AddSingleton<PostgresConversationStore>();
        services.AddSingleton<PostgresChannelMemory>();
        services.AddSingleton<InMemoryChannelMemory>();
        services.AddSingleton<IConversationStore>(sp => UsesPostgres(sp)
            ? sp.GetRequiredService<PostgresConversationStore>()
            : sp.GetRequiredService<ConversationStore>());
        services.AddSingleton<IChannelMemory>(sp => UsesPostgres(sp)
            ? sp.GetRequiredService<PostgresChannelMemory>()
            : sp.GetRequiredService<InMemoryChannelMemory>());
        return services;
    }

    /// <summary>True when <c>Storage:Provider</c> is <c>postgres</c>.</summary>
    internal static bool UsesPostgres(IServiceProvider services) => services.GetRequiredService<IOptions<StorageOptions>>().Value.UsesPostgres;
}
