using System.Text.Json.Nodes;
using System.Threading.Channels;
using ChatAdvisor.Core.Conversations;
using Npgsql;

namespace ChatAdvisor.Storage;

/// <summary>
/// Direct Line conversations and their activities in the database the replicas share. Appending locks the
/// conversation's row, so sequence numbers (watermarks) and timestamps stay in order whichever replica appends; the
/// commit sends a PostgreSQL notification, and every replica's <see cref="Listen"/> loop turns notifications into
/// <see cref="Appended"/> and <see cref="Signalled"/>, so the replica holding a conversation's WebSocket pushes what
/// another replica wrote. When the listening connection drops, <see cref="Resynced"/> tells streams to read the log
/// again from their own watermark, so nothing logged meanwhile is missed.
/// </summary>
public sealed class PostgresDirectLineLog(PostgresDatabase database, TimeProvider time, int maxActivities, ILogger<PostgresDirectLineLog> logger)
    : IDirectLineLog
{
    /// <summary>The notification channel.</summary>
    internal const string Channel = "chatadvisor_directline";

    /// <summary>PostgreSQL's limit on a notification's payload is 8,000 bytes; a bigger transient activity is not sent.</summary>
    private const int MaxSignalBytes = 7_900;

    /// <inheritdoc />
    public event Action<string, LoggedActivity>? Appended;

    /// <inheritdoc />
    public event Action<string, string>? Signalled;

    /// <summary>Raised after the listening connection was re-established: notifications may have been missed.</summary>
    public event Action? Resynced;

    /// <inheritdoc />
    public Task<DirectLineConversationInfo?> GetAsync(string conversationId, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT user_id FROM directline_conversations WHERE id = @id", connection);
            command.Parameters.AddWithValue("id", conversationId);
            return await command.ExecuteScalarAsync(cancellationToken) is string user ? new DirectLineConversationInfo(conversationId, user) : null;
        });

    /// <inheritdoc />
    public Task<(DirectLineConversationInfo Conversation, bool Created)> GetOrCreateAsync(string conversationId, string userId, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            long now = time.GetUtcNow().ToUnixTimeMilliseconds();
            bool created = await PostgresDatabase.Execute(connection, """
                INSERT INTO directline_conversations (id, user_id, created_at, updated_at) VALUES (@id, @user, @now, @now)
                ON CONFLICT (id) DO NOTHING
                """, cancellationToken, ("id", conversationId), ("user", userId), ("now", now)) == 1;
            if (created)
                return (new DirectLineConversationInfo(conversationId, userId), true);
            await using var command = new NpgsqlCommand("SELECT user_id FROM directline_conversations WHERE id = @id", connection);
            command.Parameters.AddWithValue("id", conversationId);
            return (new DirectLineConversationInfo(conversationId, (string)(await command.ExecuteScalarAsync(cancellationToken))!), false);
        });

    /// <inheritdoc />
    public Task<LoggedActivity> AppendAsync(string conversationId, JsonObject activity, string? clientActivityId = null, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            long next, lastTimestamp;
            await using (var current = new NpgsqlCommand("SELECT next_seq, last_timestamp FROM directline_conversations WHERE id = @id FOR UPDATE", connection))
            {
                current.Parameters.AddWithValue("id", conversationId);
                await using var reader = await current.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                    throw new KeyNotFoundException($"No Direct Line conversation {conversationId}.");
                (next, lastTimestamp) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            if (clientActivityId is not null)
            {
                await using var earlier = new NpgsqlCommand(
                    "SELECT seq, json FROM directline_activities WHERE conversation_id = @id AND client_activity_id = @client", connection);
                earlier.Parameters.AddWithValue("id", conversationId);
                earlier.Parameters.AddWithValue("client", clientActivityId);
                await using var reader = await earlier.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                    return new LoggedActivity(reader.GetInt64(0), reader.GetString(1));
            }
            long timestamp = DirectLineStamp.Next(time, lastTimestamp);
            var logged = new LoggedActivity(next, DirectLineStamp.Stamp(activity, conversationId, next, timestamp));
            await PostgresDatabase.Execute(connection, """
                INSERT INTO directline_activities (conversation_id, seq, json, client_activity_id) VALUES (@id, @seq, @json, @client);
                """, cancellationToken, ("id", conversationId), ("seq", next), ("json", logged.Json), ("client", clientActivityId));
            await PostgresDatabase.Execute(connection, """
                UPDATE directline_conversations SET next_seq = @next, last_timestamp = @timestamp, updated_at = @now WHERE id = @id
                """, cancellationToken, ("id", conversationId), ("next", next + 1), ("timestamp", timestamp), ("now", time.GetUtcNow().ToUnixTimeMilliseconds()));
            await PostgresDatabase.Execute(connection, "DELETE FROM directline_activities WHERE conversation_id = @id AND seq <= @oldest", cancellationToken,
                ("id", conversationId), ("oldest", next - maxActivities));
            // Delivered to every listening replica when the transaction commits, in commit order.
            await PostgresDatabase.Execute(connection, "SELECT pg_notify(@channel, @payload)", cancellationToken,
                ("channel", Channel), ("payload", $"a {next} {conversationId}"));
            await transaction.CommitAsync(cancellationToken);
            return logged;
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<LoggedActivity>> ReadAsync(string conversationId, long after, CancellationToken cancellationToken = default)
        => database.GuardAsync<IReadOnlyList<LoggedActivity>>(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "SELECT seq, json FROM directline_activities WHERE conversation_id = @id AND seq > @after ORDER BY seq", connection);
            command.Parameters.AddWithValue("id", conversationId);
            command.Parameters.AddWithValue("after", after);
            var activities = new List<LoggedActivity>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                activities.Add(new LoggedActivity(reader.GetInt64(0), reader.GetString(1)));
            return activities;
        });

    /// <inheritdoc />
    public Task<long> LatestAsync(string conversationId, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT next_seq - 1 FROM directline_conversations WHERE id = @id", connection);
            command.Parameters.AddWithValue("id", conversationId);
            return await command.ExecuteScalarAsync(cancellationToken) is long latest ? latest : -1;
        });

    /// <inheritdoc />
    public Task SignalAsync(string conversationId, JsonObject activity, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            var payload = $"s {conversationId} {DirectLineStamp.StampTransient(activity, conversationId, time)}";
            if (System.Text.Encoding.UTF8.GetByteCount(payload) > MaxSignalBytes)
            {
                // Transient by nature (typing, a partial answer): the final message is logged and reaches the client.
                StorageLog.SignalTooLarge(logger, conversationId);
                return 0;
            }
            await using var connection = await database.OpenAsync(cancellationToken);
            return await PostgresDatabase.Execute(connection, "SELECT pg_notify(@channel, @payload)", cancellationToken, ("channel", Channel), ("payload", payload));
        });

    /// <summary>Deletes conversations idle since before <paramref name="cutoff"/> with their activities. Returns how many.</summary>
    public Task<int> DeleteIdleAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return await PostgresDatabase.Execute(connection, "DELETE FROM directline_conversations WHERE updated_at < @cutoff", cancellationToken,
                ("cutoff", cutoff.ToUnixTimeMilliseconds()));
        });

    /// <summary>
    /// Listens for the notifications of every replica until <paramref name="stoppingToken"/> is cancelled, raising
    /// <see cref="Appended"/> and <see cref="Signalled"/> in the order they were sent; reconnects after a failure (then
    /// raises <see cref="Resynced"/>). <paramref name="listening"/> is called each time the listener is in place.
    /// </summary>
    public async Task Listen(Action? listening, CancellationToken stoppingToken)
    {
        // Notifications arrive on the connection's reader; they are handled one at a time on a task of their own.
        var inbox = System.Threading.Channels.Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var dispatching = DispatchAsync(inbox.Reader, stoppingToken);
        var delay = TimeSpan.FromMilliseconds(200);
        bool reconnecting = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await database.MigrateAsync(stoppingToken);
                    await using var connection = await database.DataSource.OpenConnectionAsync(stoppingToken);
                    connection.Notification += (_, e) => inbox.Writer.TryWrite(e.Payload);
                    await PostgresDatabase.Execute(connection, $"LISTEN {Channel}", stoppingToken);
                    if (reconnecting)
                        inbox.Writer.TryWrite("");
                    listening?.Invoke();
                    delay = TimeSpan.FromMilliseconds(200);
                    while (!stoppingToken.IsCancellationRequested)
                        await connection.WaitAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception) when (PostgresDatabase.Describe(exception) is { } problem)
                {
                    StorageLog.ListenFailed(logger, problem, exception);
                    reconnecting = true;
                    try
                    {
                        await Task.Delay(delay, time, stoppingToken);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                }
            }
        }
        finally
        {
            inbox.Writer.TryComplete();
            await dispatching;
        }
    }

    /// <summary>Handles notifications in order: an empty one means some may have been missed.</summary>
    private async Task DispatchAsync(ChannelReader<string> inbox, CancellationToken stoppingToken)
    {
        await foreach (var payload in inbox.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                if (payload.Length == 0)
                {
                    Resynced?.Invoke();
                }
                else if (payload.StartsWith("a ", StringComparison.Ordinal))
                {
                    int space = payload.IndexOf(' ', 2);
                    long sequence = long.Parse(payload.AsSpan(2, space - 2), System.Globalization.CultureInfo.InvariantCulture);
                    string conversationId = payload[(space + 1)..];
                    if (Appended is { } appended)
                    {
                        // Notifications are sent at commit, so the row is there (unless trimmed already: nothing to push).
                        foreach (var activity in await ReadAsync(conversationId, sequence - 1, stoppingToken))
                        {
                            if (activity.Sequence == sequence)
                                appended(conversationId, activity);
                        }
                    }
                }
                else if (payload.StartsWith("s ", StringComparison.Ordinal))
                {
                    int space = payload.IndexOf(' ', 2);
                    Signalled?.Invoke(payload[2..space], payload[(space + 1)..]);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is StorageUnavailableException or FormatException)
            {
                StorageLog.NotificationFailed(logger, exception);
                Resynced?.Invoke();
            }
        }
    }
}
