using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ChatAdvisor.Storage;

/// <summary>
/// Conversations and feedback in the PostgreSQL database the replicas share, with the same limits as the embedded
/// store. A conversation's row carries its version (the sequence number of its latest turn); appending a turn locks
/// that row, so concurrent turns through different replicas are stored one after the other and a turn answered from a
/// stale history is refused with <see cref="ConversationChangedException"/> instead of silently ignoring the newer turn.
/// </summary>
public sealed class PostgresConversationStore(PostgresDatabase database, IOptions<StorageOptions> options, TimeProvider time, ILogger<PostgresConversationStore> logger)
    : IConversationStore
{
    private readonly StorageOptions _options = options.Value;
    private readonly string _probeId = $"{Environment.MachineName}:{Environment.ProcessId}";
    private long _writesSinceExpiry;

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken = default) => database.MigrateAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(string conversationId, CancellationToken cancellationToken = default)
        => (await GetHistoryAsync(conversationId, cancellationToken)).Turns;

    /// <inheritdoc />
    public Task<ConversationHistory> GetHistoryAsync(string conversationId, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("""
                SELECT t.question, t.state, t.answer, c.version FROM turns t JOIN conversations c ON c.id = t.conversation_id
                WHERE t.conversation_id = @id AND c.updated_at >= @cutoff ORDER BY t.seq
                """, connection);
            command.Parameters.AddWithValue("id", conversationId);
            command.Parameters.AddWithValue("cutoff", Cutoff());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await StoredTurns.ReadHistoryAsync(reader, cancellationToken);
        });

    /// <inheritdoc />
    public async Task AppendAsync(string conversationId, ConversationTurn turn, string? client, long? expectedVersion, CancellationToken cancellationToken = default)
    {
        var stored = StoredTurns.Bound(turn, _options.MaxStoredAnswerChars);
        await database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            long now = time.GetUtcNow().ToUnixTimeMilliseconds();
            bool isNew = await PostgresDatabase.Execute(connection, """
                INSERT INTO conversations (id, created_at, updated_at, owner, version) VALUES (@id, @now, @now, @owner, 0)
                ON CONFLICT (id) DO NOTHING
                """, cancellationToken, ("id", conversationId), ("now", now), ("owner", client)) == 1;

            // The row lock serialises every append to this conversation, whichever replica makes it.
            long version, updatedAt;
            await using (var current = new NpgsqlCommand("SELECT version, updated_at FROM conversations WHERE id = @id FOR UPDATE", connection))
            {
                current.Parameters.AddWithValue("id", conversationId);
                await using var reader = await current.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                (version, updatedAt) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            if (!isNew && updatedAt < Cutoff())
            {
                // An expired conversation that is used again starts afresh under the same id.
                await PostgresDatabase.Execute(connection, "DELETE FROM turns WHERE conversation_id = @id", cancellationToken, ("id", conversationId));
                version = 0;
            }
            if (expectedVersion is { } expected && expected != version)
                throw new ConversationChangedException(conversationId, expected, version);

            if (isNew && client is not null)
            {
                await PostgresDatabase.Execute(connection, """
                    DELETE FROM conversations WHERE id IN (
                        SELECT id FROM conversations WHERE owner = @owner AND id <> @id ORDER BY updated_at DESC OFFSET @keep)
                    """, cancellationToken, ("owner", client), ("id", conversationId), ("keep", _options.MaxConversationsPerClient - 1));
            }
            long seq = version + 1;
            await PostgresDatabase.Execute(connection, """
                INSERT INTO turns (conversation_id, seq, answer_id, question, state, answer, created_at)
                VALUES (@id, @seq, @answer_id, @question, @state, @answer, @now);
                """, cancellationToken, ("id", conversationId), ("seq", seq), ("answer_id", stored.Answer.AnswerId), ("question", stored.Question),
                ("state", StoredTurns.SerializeState(stored.Understood)), ("answer", StoredTurns.SerializeAnswer(stored.Answer)), ("now", now));
            await PostgresDatabase.Execute(connection, """
                INSERT INTO answers (answer_id, question, answer, created_at) VALUES (@answer_id, @question, @answer, @now)
                ON CONFLICT (answer_id) DO NOTHING
                """, cancellationToken, ("answer_id", stored.Answer.AnswerId), ("question", stored.Question),
                ("answer", StoredTurns.SerializeAnswer(stored.Answer)), ("now", now));
            await PostgresDatabase.Execute(connection, "UPDATE conversations SET version = @seq, updated_at = @now WHERE id = @id", cancellationToken,
                ("id", conversationId), ("seq", seq), ("now", now));
            await PostgresDatabase.Execute(connection, "DELETE FROM turns WHERE conversation_id = @id AND seq <= @oldest", cancellationToken,
                ("id", conversationId), ("oldest", seq - _options.MaxTurnsPerConversation));
            await transaction.CommitAsync(cancellationToken);
            return 0;
        });
        if (Interlocked.Increment(ref _writesSinceExpiry) % 500 == 1)
            await ExpireIdleAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RecordFeedbackAsync(AnswerFeedback feedback, CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return await PostgresDatabase.Execute(connection, """
                INSERT INTO feedback (answer_id, positive, comment, channel, question, answer, created_at)
                SELECT @answer_id, @positive, @comment, @channel, question, answer, @now FROM answers WHERE answer_id = @answer_id
                """, cancellationToken, ("answer_id", feedback.AnswerId), ("positive", feedback.Positive), ("comment", feedback.Comment),
                ("channel", feedback.Channel), ("now", time.GetUtcNow().ToUnixTimeMilliseconds())) == 1;
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<(bool Positive, string? Comment, string Channel, string Question, string AnswerText)>> GetFeedbackAsync(string answerId, CancellationToken cancellationToken = default)
        => database.GuardAsync<IReadOnlyList<(bool, string?, string, string, string)>>(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT positive, comment, channel, question, answer FROM feedback WHERE answer_id = @id ORDER BY id", connection);
            command.Parameters.AddWithValue("id", answerId);
            var list = new List<(bool, string?, string, string, string)>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                list.Add((reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3), StoredTurns.AnswerText(reader.GetString(4))));
            return list;
        });

    /// <inheritdoc />
    public Task<int> ExpireIdleAsync(CancellationToken cancellationToken = default)
        => database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            long cutoff = Cutoff();
            await PostgresDatabase.Execute(connection, """
                DELETE FROM answers WHERE created_at < @cutoff AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.answer_id = answers.answer_id)
                """, cancellationToken, ("cutoff", cutoff));
            int deleted = await PostgresDatabase.Execute(connection, "DELETE FROM conversations WHERE updated_at < @cutoff", cancellationToken, ("cutoff", cutoff));
            await transaction.CommitAsync(cancellationToken);
            if (deleted > 0)
                StorageLog.ConversationsExpired(logger, deleted);
            return deleted;
        });

    /// <summary>
    /// The shared database's scheduled clean-up. Deletes expired channel memory (<see cref="PostgresChannelMemory"/>),
    /// expires idle conversations, then evicts the least recently used ones while the stored rows exceed
    /// <see cref="StorageOptions.MaxDatabaseBytes"/> (measured as the size of the live rows; PostgreSQL's autovacuum
    /// makes the freed space reusable). Returns how many conversations expired.
    /// </summary>
    public async Task<int> CleanUpAsync(CancellationToken cancellationToken = default)
    {
        int expired = await ExpireIdleAsync(cancellationToken);
        await database.GuardAsync(async () =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await PostgresDatabase.Execute(connection, "DELETE FROM channel_memory WHERE expires_at <= @now", cancellationToken,
                ("now", time.GetUtcNow().ToUnixTimeMilliseconds()));
            long before = await UsedBytesAsync(connection, cancellationToken), used = before;
            if (used <= _options.MaxDatabaseBytes)
                return 0;
            await DeleteOrphanAnswersAsync(connection, cancellationToken);
            int evicted = 0;
            long target = _options.MaxDatabaseBytes / 10 * 9;
            while ((used = await UsedBytesAsync(connection, cancellationToken)) > target)
            {
                // As many of the oldest conversations as the excess holds, at the average size (at least one).
                await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM conversations", connection);
                long batch = StoredTurns.EvictionBatch(used, target,
                    Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture));
                if (batch == 0)
                    break;
                int deleted = await PostgresDatabase.Execute(connection, """
                    DELETE FROM conversations WHERE id IN (SELECT id FROM conversations ORDER BY updated_at LIMIT @batch)
                    """, cancellationToken, ("batch", batch));
                if (deleted == 0)
                    break;
                evicted += deleted;
                await DeleteOrphanAnswersAsync(connection, cancellationToken);
            }
            StorageLog.ConversationsEvicted(logger, evicted, before, used, _options.MaxDatabaseBytes);
            return evicted;
        });
        return expired;
    }

    /// <summary>Deletes stored answers that no turn and no feedback refers to any more.</summary>
    private static Task<int> DeleteOrphanAnswersAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        => PostgresDatabase.Execute(connection, """
            DELETE FROM answers a WHERE NOT EXISTS (SELECT 1 FROM turns t WHERE t.answer_id = a.answer_id)
                AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.answer_id = a.answer_id)
            """, cancellationToken);

    /// <summary>The size of the live rows of the conversation tables.</summary>
    internal static async Task<long> UsedBytesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT COALESCE((SELECT SUM(pg_column_size(t.*)) FROM turns t), 0)
                 + COALESCE((SELECT SUM(pg_column_size(a.*)) FROM answers a), 0)
                 + COALESCE((SELECT SUM(pg_column_size(f.*)) FROM feedback f), 0)
                 + COALESCE((SELECT SUM(pg_column_size(c.*)) FROM conversations c), 0)
            """, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async Task<string?> ProbeAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            long now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await using var command = new NpgsqlCommand("""
                INSERT INTO probe (id, at) VALUES (@id, @now) ON CONFLICT (id) DO UPDATE SET at = @now RETURNING at
                """, connection);
            command.Parameters.AddWithValue("id", _probeId);
            command.Parameters.AddWithValue("now", now);
            long read = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            await PostgresDatabase.Execute(connection, "DELETE FROM probe WHERE id = @id", cancellationToken, ("id", _probeId));
            await transaction.CommitAsync(cancellationToken);
            return read == now ? null : "the probe row read back differs from what was written";
        }
        catch (Exception exception) when (PostgresDatabase.Describe(exception) is { } problem)
        {
            StorageLog.DatabaseFailed(logger, problem, exception);
            return problem;
        }
        catch (StorageUnavailableException exception)
        {
            return exception.Message;
        }
    }

    private long Cutoff() => time.GetUtcNow().AddHours(-_options.ConversationIdleHours).ToUnixTimeMilliseconds();
}
