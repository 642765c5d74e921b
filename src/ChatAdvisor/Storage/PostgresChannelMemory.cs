using System.Globalization;
using Npgsql;

namespace ChatAdvisor.Storage;

/// <summary>
/// <see cref="IChannelMemory"/> in the database the replicas share: a claim is one <c>INSERT … ON CONFLICT</c> that
/// only takes an expired row, so two replicas that receive the same retried delivery cannot both take it.
/// Expired rows are deleted by the shared database's scheduled clean-up (<see cref="PostgresConversationStore.CleanUpAsync"/>).
/// </summary>
public sealed class PostgresChannelMemory(PostgresDatabase database, TimeProvider time) : IChannelMemory
{
    /// <inheritdoc />
    public Task<bool> TryClaimAsync(string scope, string key, TimeSpan timeToLive, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            long now = Now();
            await using var connection = await database.OpenAsync(cancellationToken);
            return await PostgresDatabase.Execute(connection, """
                INSERT INTO channel_memory (scope, key, value, expires_at) VALUES (@scope, @key, '', @expires)
                ON CONFLICT (scope, key) DO UPDATE SET value = '', expires_at = @expires WHERE channel_memory.expires_at <= @now
                """, cancellationToken, ("scope", scope), ("key", key), ("expires", now + Milliseconds(timeToLive)), ("now", now)) == 1;
        });

    /// <inheritdoc />
    public Task ReleaseAsync(string scope, string key, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return await PostgresDatabase.Execute(connection, "DELETE FROM channel_memory WHERE scope = @scope AND key = @key", cancellationToken,
                ("scope", scope), ("key", key));
        });

    /// <inheritdoc />
    public Task SetAsync(string scope, string key, string value, TimeSpan timeToLive, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return await PostgresDatabase.Execute(connection, """
                INSERT INTO channel_memory (scope, key, value, expires_at) VALUES (@scope, @key, @value, @expires)
                ON CONFLICT (scope, key) DO UPDATE SET value = @value, expires_at = @expires
                """, cancellationToken, ("scope", scope), ("key", key), ("value", value), ("expires", Now() + Milliseconds(timeToLive)));
        });

    /// <inheritdoc />
    public Task<string?> GetAsync(string scope, string key, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT value FROM channel_memory WHERE scope = @scope AND key = @key AND expires_at > @now", connection);
            command.Parameters.AddWithValue("scope", scope);
            command.Parameters.AddWithValue("key", key);
            command.Parameters.AddWithValue("now", Now());
            return (string?)await command.ExecuteScalarAsync(cancellationToken);
        });

    /// <inheritdoc />
    public Task<long> IncrementAsync(string scope, string key, TimeSpan timeToLive, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            long now = Now();
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("""
                INSERT INTO channel_memory (scope, key, value, expires_at) VALUES (@scope, @key, '1', @expires)
                ON CONFLICT (scope, key) DO UPDATE SET
                    value = CASE WHEN channel_memory.expires_at <= @now THEN '1' ELSE (channel_memory.value::bigint + 1)::text END,
                    expires_at = CASE WHEN channel_memory.expires_at <= @now THEN @expires ELSE channel_memory.expires_at END
                RETURNING value
                """, connection);
            command.Parameters.AddWithValue("scope", scope);
            command.Parameters.AddWithValue("key", key);
            command.Parameters.AddWithValue("expires", now + Milliseconds(timeToLive));
            command.Parameters.AddWithValue("now", now);
            return long.Parse((string)(await command.ExecuteScalarAsync(cancellationToken))!, CultureInfo.InvariantCulture);
        });

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static long Milliseconds(TimeSpan span) => (long)span.TotalMilliseconds;
}
