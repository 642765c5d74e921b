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
/// <remarks>
/// Leases are measured on the database's clock, so replicas whose clocks disagree still agree on which have lapsed.
/// </remarks>
public sealed class PostgresDirectLineLog(PostgresDatabase database, TimeProvider time, int maxActivities, TimeSpan lease, ILogger<PostgresDirectLineLog> logger)
    : IDirectLineLog
{
    /// <summary>The notification channel.</summary>
    internal const string Channel = "chatadvisor_directline";

    /// <summary>PostgreSQL's limit on a notification's payload is 8,000 bytes; a bigger transient activity is not sent.</summary>
    private const int MaxSignalBytes = 7_900;

    /// <summary>The database's clock in Unix milliseconds.</summary>
    private const string DatabaseNow = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    /// <summary>This replica's name on the leases it holds: unique per process.</summary>
    public string ReplicaId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..12]}";

    /// <inheritdoc />
    public bool IsShared => true;

    /// <inheritdoc />
    public event Action<string, long>? Appended;

    /// <inheritdoc />
    public event Action<string, string>? Signalled;

    /// <inheritdoc />
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
    public Task<LogAppend> AppendAsync(string conversationId, JsonObject activity, string? clientActivityId = null, bool awaitsReply = false, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            long? question = DirectLineStamp.RepliesTo(activity, conversationId);
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            long next, lastTimestamp;
            // One round trip: lock the conversation, and find an earlier copy of this activity (same client id, or a
            // reply to the same question).
            await using (var current = new NpgsqlCommand("""
                SELECT c.next_seq, c.last_timestamp, e.seq, e.json FROM directline_conversations c
                LEFT JOIN LATERAL (
                    SELECT seq, json FROM directline_activities a
                    WHERE a.conversation_id = c.id AND (a.client_activity_id = @client OR a.reply_to = @question) LIMIT 1) e ON true
                WHERE c.id = @id FOR UPDATE OF c
                """, connection))
            {
                current.Parameters.AddWithValue("id", conversationId);
                current.Parameters.Add(new NpgsqlParameter<string?>("client", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = clientActivityId });
                current.Parameters.Add(new NpgsqlParameter<long?>("question", NpgsqlTypes.NpgsqlDbType.Bigint) { TypedValue = question });
                await using var reader = await current.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                    throw new KeyNotFoundException($"No Direct Line conversation {conversationId}.");
                if (!await reader.IsDBNullAsync(2, cancellationToken))
                    return new LogAppend(new LoggedActivity(reader.GetInt64(2), reader.GetString(3)), false);
                (next, lastTimestamp) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            long timestamp = DirectLineStamp.Next(time, lastTimestamp);
            var logged = new LoggedActivity(next, DirectLineStamp.Stamp(activity, conversationId, next, timestamp));
            await using var batch = new NpgsqlBatch(connection, transaction);
            Add(batch, "INSERT INTO directline_activities (conversation_id, seq, json, client_activity_id, reply_to) VALUES (@id, @seq, @json, @client, @question)",
                ("id", conversationId), ("seq", next), ("json", logged.Json), ("client", clientActivityId), ("question", question));
            Add(batch, "UPDATE directline_conversations SET next_seq = @next, last_timestamp = @timestamp, updated_at = @now WHERE id = @id",
                ("id", conversationId), ("next", next + 1), ("timestamp", timestamp), ("now", time.GetUtcNow().ToUnixTimeMilliseconds()));
            Add(batch, "DELETE FROM directline_activities WHERE conversation_id = @id AND seq <= @oldest", ("id", conversationId), ("oldest", next - maxActivities));
            if (question is { } answered)
                Add(batch, "DELETE FROM directline_pending WHERE conversation_id = @id AND seq = @seq", ("id", conversationId), ("seq", answered));
            if (awaitsReply)
            {
                Add(batch, $"INSERT INTO directline_pending (conversation_id, seq, owner, lease_until) VALUES (@id, @seq, @owner, {DatabaseNow} + @lease)",
                    ("id", conversationId), ("seq", next), ("owner", ReplicaId), ("lease", (long)lease.TotalMilliseconds));
            }
            // Delivered to every listening replica when the transaction commits, in commit order.
            Add(batch, "SELECT pg_notify(@channel, @payload)", ("channel", Channel), ("payload", $"a {next} {conversationId}"));
            await batch.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new LogAppend(logged, true);
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

    /// <inheritdoc />
    public Task<IReadOnlyList<PendingTurn>> PendingAsync(string conversationId, long sequence, CancellationToken cancellationToken = default)
        => database.GuardAsync<IReadOnlyList<PendingTurn>>(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"""
                SELECT seq, owner = @owner, lease_until < {DatabaseNow} FROM directline_pending
                WHERE conversation_id = @id AND seq <= @seq ORDER BY seq
                """, connection);
            command.Parameters.AddWithValue("id", conversationId);
            command.Parameters.AddWithValue("seq", sequence);
            command.Parameters.AddWithValue("owner", ReplicaId);
            var pending = new List<PendingTurn>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                pending.Add(new PendingTurn(reader.GetInt64(0), reader.GetBoolean(1), reader.GetBoolean(2)));
            return pending;
        });

    /// <inheritdoc />
    public Task<bool> ClaimAsync(string conversationId, long sequence, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return await PostgresDatabase.Execute(connection, $"""
                UPDATE directline_pending SET owner = @owner, lease_until = {DatabaseNow} + @lease
                WHERE conversation_id = @id AND seq = @seq AND (owner = @owner OR lease_until < {DatabaseNow})
                """, cancellationToken, ("id", conversationId), ("seq", sequence), ("owner", ReplicaId), ("lease", (long)lease.TotalMilliseconds)) == 1;
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<(string ConversationId, long Sequence)>> ClaimLapsedAsync(int max, CancellationToken cancellationToken = default)
        => database.GuardAsync<IReadOnlyList<(string, long)>>(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            // SKIP LOCKED: replicas claiming at the same moment take different turns.
            await using var command = new NpgsqlCommand($"""
                UPDATE directline_pending p SET owner = @owner, lease_until = {DatabaseNow} + @lease
                FROM (SELECT conversation_id, seq FROM directline_pending WHERE lease_until < {DatabaseNow}
                      ORDER BY lease_until LIMIT @max FOR UPDATE SKIP LOCKED) lapsed
                WHERE p.conversation_id = lapsed.conversation_id AND p.seq = lapsed.seq
                RETURNING p.conversation_id, p.seq
                """, connection);
            command.Parameters.AddWithValue("owner", ReplicaId);
            command.Parameters.AddWithValue("lease", (long)lease.TotalMilliseconds);
            command.Parameters.AddWithValue("max", max);
            var claimed = new List<(string, long)>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                claimed.Add((reader.GetString(0), reader.GetInt64(1)));
            return claimed;
        });

    /// <inheritdoc />
    public Task RenewAsync(CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return await PostgresDatabase.Execute(connection, $"UPDATE directline_pending SET lease_until = {DatabaseNow} + @lease WHERE owner = @owner",
                cancellationToken, ("owner", ReplicaId), ("lease", (long)lease.TotalMilliseconds));
        });

    /// <inheritdoc />
    public Task ReleaseAsync(string conversationId, long sequence, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return await PostgresDatabase.Execute(connection, "UPDATE directline_pending SET lease_until = 0 WHERE conversation_id = @id AND seq = @seq AND owner = @owner",
                cancellationToken, ("id", conversationId), ("seq", sequence), ("owner", ReplicaId));
        });

    /// <inheritdoc />
    public Task<int> ForgetIdleAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            // A conversation with a question still waiting for its answer is not idle.
            return await PostgresDatabase.Execute(connection, """
                DELETE FROM directline_conversations c WHERE updated_at < @cutoff
                AND NOT EXISTS (SELECT 1 FROM directline_pending p WHERE p.conversation_id = c.id)
                """, cancellationToken, ("cutoff", cutoff.ToUnixTimeMilliseconds()));
        });

    private static void Add(NpgsqlBatch batch, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        batch.BatchCommands.Add(command);
    }

    /// <summary>
    /// Listens for the notifications of every replica until <paramref name="stoppingToken"/> is cancelled, raising
    /// <see cref="Appended"/> and <see cref="Signalled"/> in the order they were sent; reconnects after a failure (then
    /// raises <see cref="Resynced"/>). <paramref name="listening"/> is called each time the listener is in place.
    /// </summary>
    public async Task Listen(Action? listening, CancellationToken stoppingToken)
    {
        // Notifications arrive on the connection's reader; they are handled one at a time on a task of their own.
        var inbox = System.Threading.Channels.Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var dispatching = DispatchAsync(inbox.Reader);
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
    private async Task DispatchAsync(ChannelReader<string> inbox)
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
                    // Only the activity's number travels: a replica holding the conversation's stream reads the log.
                    Appended?.Invoke(payload[(space + 1)..], sequence);
                }
                else if (payload.StartsWith("s ", StringComparison.Ordinal))
                {
                    int space = payload.IndexOf(' ', 2);
                    Signalled?.Invoke(payload[2..space], payload[(space + 1)..]);
                }
            }
            catch (FormatException exception)
            {
                StorageLog.NotificationFailed(logger, exception);
                Resynced?.Invoke();
            }
        }
    }
}
