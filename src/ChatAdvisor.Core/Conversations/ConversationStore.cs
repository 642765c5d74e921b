using System.Globalization;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Topics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Conversations;

/// <summary>One recorded turn: the question, what the advisor understood of it, and the answer.</summary>
/// <param name="Question">The question as asked.</param>
/// <param name="Understood">The resolved analysis, kept so follow-ups can build on it.</param>
/// <param name="Answer">The answer given.</param>
public sealed record ConversationTurn(string Question, TurnState Understood, AdvisorAnswer Answer);

/// <summary>
/// What is remembered of a turn for resolving the next one: what was asked and what the user was shown (the entities
/// in focus, the verdict, the aspect, the situation). Entities are stored by their profile ids.
/// </summary>
public sealed record TurnState(
    QuestionKind Kind,
    IReadOnlyList<string> Entities,
    IReadOnlyList<string> Aspects,
    bool WantsPros,
    bool WantsCons,
    string? UseCase,
    IReadOnlyList<string> Terms,
    string? Verdict,
    string Resolved)
{
    /// <summary>Every entity the conversation has shown so far, for "which of those".</summary>
    public IReadOnlyList<string> Shown { get; init; } = [];

    /// <summary>True when the turn weighed a rejected entity against the verdict ("why not X instead?").</summary>
    public bool WhyNot { get; init; }

    /// <summary>The entities the user named in the question itself.</summary>
    public IReadOnlyList<string> Asked { get; init; } = [];

    /// <summary>What the user is building or needs, as the conversation left it.</summary>
    public string? Situation { get; init; }

    /// <summary>Captures the state of an answered question and the verdict its answer gave.</summary>
    public static TurnState From(QuestionAnalysis q, string? verdict) =>
        new(q.Kind, q.Entities, [.. q.Aspects.Select(a => a.Id)], q.WantsPros, q.WantsCons, q.UseCase, q.Terms, verdict, q.Resolved)
        {
            Shown = verdict is null || q.Shown.Contains(verdict) ? q.Shown : [.. q.Shown, verdict],
            WhyNot = q.WhyNot,
            Situation = q.Situation,
            Asked = q.Asked,
        };

    /// <summary>Turns the state back into an analysis that follow-up resolution can merge with.</summary>
    public QuestionAnalysis ToAnalysis(TopicProfile topic) => new()
    {
        Text = Resolved,
        Kind = Kind,
        Entities = [.. (Entities ?? []).Where(topic.IsEntity)],
        Aspects = [.. topic.Aspects.Where(a => Aspects.Contains(a.Id))],
        WantsPros = WantsPros,
        WantsCons = WantsCons,
        UseCase = UseCase,
        Terms = Terms,
        Verdict = Verdict is not null && topic.IsEntity(Verdict) ? Verdict : null,
        Shown = [.. (Shown ?? []).Where(topic.IsEntity)],
        WhyNot = WhyNot,
        Situation = Situation,
        Asked = [.. (Asked ?? []).Where(topic.IsEntity)],
        Resolved = Resolved,
    };
}

/// <summary>The conversation store cannot read or write (read-only or full disk, damaged file); the message is safe to log.</summary>
public sealed class StorageUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Conversation state in an embedded SQLite database in the storage folder: it survives restarts, keeps at
/// most <see cref="StorageOptions.MaxTurnsPerConversation"/> turns per conversation, expires conversations
/// idle for longer than <see cref="StorageOptions.ConversationIdleHours"/>, and stays below
/// <see cref="StorageOptions.MaxDatabaseBytes"/> by evicting the least recently used conversations. Feedback is
/// stored with a copy of the question and answer it rates.
/// </summary>
/// <remarks>
/// Thread-safe: writes are serialised; each call uses its own connection. Failures of the disk or the file surface as
/// <see cref="StorageUnavailableException"/>.
/// </remarks>
public sealed class ConversationStore : IConversationStore, IDisposable
{
    private readonly string _connectionString;
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ConversationStore> _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;
    private long _writesSinceExpiry;

    /// <summary>Creates the store; the database file is created on first use.</summary>
    public ConversationStore(IOptions<StorageOptions> options, ContentRootPath root, TimeProvider time, ILogger<ConversationStore> logger)
    {
        _options = options.Value;
        Folder = root.Resolve(_options.Path);
        DatabasePath = Path.Combine(Folder, "conversations.db");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Cache = SqliteCacheMode.Private }.ToString();
        _time = time;
        _logger = logger;
    }

    /// <summary>The storage folder.</summary>
    public string Folder { get; }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <summary>
    /// Checks at start-up that the storage folder can be written, then opens the database: a file that is not a
    /// readable SQLite database is renamed aside (<c>conversations.db.corrupt-{timestamp}</c>) and a fresh one created.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder cannot be created or written; the message names <c>Storage:Path</c>.</exception>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        var probe = Path.Combine(Folder, $".write-test-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(Folder);
            await File.WriteAllTextAsync(probe, "ok", cancellationToken);
            File.Delete(probe);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Storage:Path '{Folder}' is not a writable folder ({exception.GetType().Name}). Point Storage:Path at a folder this service can create and write to.",
                exception);
        }
        await EnsureSchemaAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(string conversationId, CancellationToken cancellationToken = default)
        => (await GetHistoryAsync(conversationId, cancellationToken)).Turns;

    /// <inheritdoc />
    public Task<ConversationHistory> GetHistoryAsync(string conversationId, CancellationToken cancellationToken = default)
        => GuardAsync(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT t.question, t.state, t.answer, t.seq FROM turns t JOIN conversations c ON c.id = t.conversation_id
                WHERE t.conversation_id = $id AND c.updated_at >= $cutoff ORDER BY t.seq
                """;
            command.Parameters.AddWithValue("$id", conversationId);
            command.Parameters.AddWithValue("$cutoff", Cutoff());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await StoredTurns.ReadHistoryAsync(reader, cancellationToken);
        });

    /// <inheritdoc />
    public async Task AppendAsync(string conversationId, ConversationTurn turn, string? client, long? expectedVersion, CancellationToken cancellationToken = default)
    {
        var stored = StoredTurns.Bound(turn, _options.MaxStoredAnswerChars);
        await WriteAsync(async () =>
        {
            await AppendLockedAsync(conversationId, stored, client, expectedVersion, cancellationToken);
            return 0;
        }, cancellationToken);
        if (Interlocked.Increment(ref _writesSinceExpiry) % 500 == 1)
            await ExpireIdleAsync(cancellationToken);
    }

    private async Task AppendLockedAsync(string conversationId, ConversationTurn turn, string? client, long? expectedVersion, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken))
        {
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();

            await using (var expireOld = connection.CreateCommand())
            {
                // An expired conversation that is used again starts afresh under the same id.
                expireOld.CommandText = "DELETE FROM turns WHERE conversation_id = $id AND EXISTS (SELECT 1 FROM conversations WHERE id = $id AND updated_at < $cutoff)";
                expireOld.Parameters.AddWithValue("$id", conversationId);
                expireOld.Parameters.AddWithValue("$cutoff", Cutoff());
                await expireOld.ExecuteNonQueryAsync(cancellationToken);
            }
            if (expectedVersion is { } expected)
            {
                // Writes are serialised, so the latest turn read here is still the latest when this transaction commits.
                await using var latest = connection.CreateCommand();
                latest.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM turns WHERE conversation_id = $id";
                latest.Parameters.AddWithValue("$id", conversationId);
                long actual = Convert.ToInt64(await latest.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                if (actual != expected)
                    throw new ConversationChangedException(conversationId, expected, actual);
            }
            bool isNew;
            await using (var exists = connection.CreateCommand())
            {
                exists.CommandText = "SELECT COUNT(*) FROM conversations WHERE id = $id";
                exists.Parameters.AddWithValue("$id", conversationId);
                isNew = Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0;
            }
            if (isNew && client is not null)
            {
                await using var evictOwn = connection.CreateCommand();
                evictOwn.CommandText = """
                    CREATE TEMP TABLE IF NOT EXISTS victims (id TEXT PRIMARY KEY);
                    DELETE FROM victims;
                    INSERT INTO victims SELECT id FROM conversations WHERE owner = $owner ORDER BY updated_at DESC LIMIT -1 OFFSET $keep;
                    """ + DeleteVictimsSql;
                evictOwn.Parameters.AddWithValue("$owner", client);
                evictOwn.Parameters.AddWithValue("$keep", _options.MaxConversationsPerClient - 1);
                await evictOwn.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var upsert = connection.CreateCommand())
            {
                upsert.CommandText = """
                    INSERT INTO conversations (id, created_at, updated_at, owner) VALUES ($id, $now, $now, $owner)
                    ON CONFLICT(id) DO UPDATE SET updated_at = $now
                    """;
                upsert.Parameters.AddWithValue("$id", conversationId);
                upsert.Parameters.AddWithValue("$now", now);
                upsert.Parameters.AddWithValue("$owner", (object?)client ?? DBNull.Value);
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var insert = connection.CreateCommand())
            {
                insert.CommandText = """
                    INSERT INTO turns (conversation_id, seq, answer_id, question, state, answer, created_at)
                    VALUES ($id, COALESCE((SELECT MAX(seq) FROM turns WHERE conversation_id = $id), 0) + 1, $answer_id, $question, $state, $answer, $now)
                    """;
                insert.Parameters.AddWithValue("$id", conversationId);
                insert.Parameters.AddWithValue("$answer_id", turn.Answer.AnswerId);
                insert.Parameters.AddWithValue("$question", turn.Question);
                insert.Parameters.AddWithValue("$state", StoredTurns.SerializeState(turn.Understood));
                insert.Parameters.AddWithValue("$answer", StoredTurns.SerializeAnswer(turn.Answer));
                insert.Parameters.AddWithValue("$now", now);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var trim = connection.CreateCommand())
            {
                trim.CommandText = """
                    DELETE FROM turns WHERE conversation_id = $id AND seq <= (SELECT MAX(seq) FROM turns WHERE conversation_id = $id) - $keep
                    """;
                trim.Parameters.AddWithValue("$id", conversationId);
                trim.Parameters.AddWithValue("$keep", _options.MaxTurnsPerConversation);
                await trim.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        await EnforceSizeLockedAsync(connection, conversationId, cancellationToken);
    }

    /// <summary>
    /// Deletes the conversations listed in the temporary table <c>victims</c>, their turns, and the stored answers of
    /// those turns that no feedback refers to.
    /// </summary>
    private const string DeleteVictimsSql = """
        DELETE FROM answers WHERE answer_id IN (SELECT answer_id FROM turns WHERE conversation_id IN (SELECT id FROM victims))
            AND answer_id NOT IN (SELECT answer_id FROM feedback);
        DELETE FROM turns WHERE conversation_id IN (SELECT id FROM victims);
        DELETE FROM conversations WHERE id IN (SELECT id FROM victims);
        """;

    /// <summary>The bytes the database's pages hold (free pages not counted).</summary>
    public Task<long> GetUsedBytesAsync(CancellationToken cancellationToken = default)
        => GuardAsync(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await UsedBytesAsync(connection, cancellationToken);
        });

    private static async Task<long> UsedBytesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()), (SELECT page_size FROM pragma_page_size())";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(0) * reader.GetInt64(1);
    }

    /// <summary>
    /// Past <see cref="StorageOptions.MaxDatabaseBytes"/>: drops stored answers no turn or feedback needs any more, then
    /// evicts the least recently used conversations (never <paramref name="keep"/>) until the database fits again.
    /// </summary>
    private async Task EnforceSizeLockedAsync(SqliteConnection connection, string? keep, CancellationToken cancellationToken)
    {
        long used = await UsedBytesAsync(connection, cancellationToken);
        if (used <= _options.MaxDatabaseBytes)
            return;
        long before = used;
        await using (var orphans = connection.CreateCommand())
        {
            orphans.CommandText = "DELETE FROM answers WHERE answer_id NOT IN (SELECT answer_id FROM turns) AND answer_id NOT IN (SELECT answer_id FROM feedback)";
            await orphans.ExecuteNonQueryAsync(cancellationToken);
        }
        int evicted = 0;
        // Evicts down to 90% of the cap so that the next writes do not evict again one conversation at a time.
        long target = _options.MaxDatabaseBytes / 10 * 9;
        while ((used = await UsedBytesAsync(connection, cancellationToken)) > target)
        {
            long batch;
            await using (var count = connection.CreateCommand())
            {
                count.CommandText = "SELECT COUNT(*) FROM conversations";
                batch = StoredTurns.EvictionBatch(used, target, Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture));
            }
            if (batch == 0)
                break;
            await using var evict = connection.CreateCommand();
            evict.CommandText = """
                CREATE TEMP TABLE IF NOT EXISTS victims (id TEXT PRIMARY KEY);
                DELETE FROM victims;
                INSERT INTO victims SELECT id FROM conversations WHERE id IS NOT $keep ORDER BY updated_at LIMIT $batch;
                SELECT COUNT(*) FROM victims;
                """;
            evict.Parameters.AddWithValue("$keep", (object?)keep ?? DBNull.Value);
            evict.Parameters.AddWithValue("$batch", batch);
            long victims = Convert.ToInt64(await evict.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            if (victims == 0)
                break;
            await using var delete = connection.CreateCommand();
            delete.CommandText = DeleteVictimsSql;
            await delete.ExecuteNonQueryAsync(cancellationToken);
            evicted += (int)victims;
        }
        await VacuumAsync(connection, cancellationToken);
        Log.ConversationsEvicted(_logger, evicted, before, used, _options.MaxDatabaseBytes);
    }

    /// <summary>Returns free pages to the file system and folds the write-ahead log back into the database.</summary>
    private static async Task VacuumAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var vacuum = connection.CreateCommand();
        vacuum.CommandText = "PRAGMA incremental_vacuum; PRAGMA wal_checkpoint(TRUNCATE);";
        await vacuum.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RecordFeedbackAsync(AnswerFeedback feedback, CancellationToken cancellationToken = default)
        => WriteAsync(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO feedback (answer_id, positive, comment, channel, question, answer, created_at)
                SELECT $answer_id, $positive, $comment, $channel, question, answer, $now FROM answers WHERE answer_id = $answer_id
                """;
            command.Parameters.AddWithValue("$answer_id", feedback.AnswerId);
            command.Parameters.AddWithValue("$positive", feedback.Positive ? 1 : 0);
            command.Parameters.AddWithValue("$comment", (object?)feedback.Comment ?? DBNull.Value);
            command.Parameters.AddWithValue("$channel", feedback.Channel);
            command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(bool Positive, string? Comment, string Channel, string Question, string AnswerText)>> GetFeedbackAsync(string answerId, CancellationToken cancellationToken = default)
        => GuardAsync<IReadOnlyList<(bool, string?, string, string, string)>>(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT positive, comment, channel, question, answer FROM feedback WHERE answer_id = $id ORDER BY id";
            command.Parameters.AddWithValue("$id", answerId);
            var list = new List<(bool, string?, string, string, string)>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add((reader.GetInt64(0) == 1, reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3), StoredTurns.AnswerText(reader.GetString(4))));
            }
            return list;
        });

    /// <inheritdoc />
    public Task<int> ExpireIdleAsync(CancellationToken cancellationToken = default)
        => WriteAsync(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM turns WHERE conversation_id IN (SELECT id FROM conversations WHERE updated_at < $cutoff);
                DELETE FROM answers WHERE created_at < $cutoff AND answer_id NOT IN (SELECT answer_id FROM feedback);
                DELETE FROM conversations WHERE updated_at < $cutoff;
                SELECT changes();
                """;
            command.Parameters.AddWithValue("$cutoff", Cutoff());
            int deleted = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            if (deleted > 0)
                Log.ConversationsExpired(_logger, deleted);
            return deleted;
        }, cancellationToken);

    /// <summary>
    /// The scheduled clean-up: deletes expired conversations, evicts past <see cref="StorageOptions.MaxDatabaseBytes"/>
    /// and returns free pages to the file system (<c>PRAGMA incremental_vacuum</c>). Returns how many conversations expired.
    /// </summary>
    public async Task<int> CleanUpAsync(CancellationToken cancellationToken = default)
    {
        int expired = await ExpireIdleAsync(cancellationToken);
        await WriteAsync(async () =>
        {
            await using var connection = await OpenAsync(cancellationToken);
            await EnforceSizeLockedAsync(connection, keep: null, cancellationToken);
            await VacuumAsync(connection, cancellationToken);
            return 0;
        }, cancellationToken);
        return expired;
    }

    /// <summary>
    /// Writes, reads back and deletes a row, as <c>/readyz</c> checks that conversations can be stored. Returns null
    /// when storage works, else a short description of the failure (no file paths or exception text).
    /// </summary>
    public async Task<string?> ProbeAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT OR REPLACE INTO probe (id, at) VALUES (1, $now);
                SELECT at FROM probe WHERE id = 1;
                """;
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            command.Parameters.AddWithValue("$now", now);
            long read = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            await transaction.CommitAsync(cancellationToken);
            return read == now ? null : "the probe row read back differs from what was written";
        }
        catch (SqliteException exception)
        {
            Log.StorageProbeFailed(_logger, exception.SqliteErrorCode, exception);
            return Describe(exception.SqliteErrorCode);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or StorageUnavailableException)
        {
            Log.StorageProbeFailed(_logger, 0, exception);
            return "the storage folder cannot be used";
        }
    }

    private static string Describe(int sqliteError) => (sqliteError & 0xFF) switch
    {
        8 => "the conversation database is read-only",
        13 => "the disk is full",
        11 or 26 => "the conversation database is damaged",
        5 or 6 => "the conversation database is locked",
        _ => $"the conversation database cannot be written (SQLite error {sqliteError})",
    };

    /// <summary>Runs a write under the store's write lock (SQLite allows one writer), with <see cref="GuardAsync"/>'s error mapping.</summary>
    private Task<T> WriteAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
        => GuardAsync(async () =>
        {
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                return await action();
            }
            finally
            {
                _writeLock.Release();
            }
        });

    private async Task<T> GuardAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (SqliteException exception)
        {
            Log.StorageFailed(_logger, exception.SqliteErrorCode, exception);
            throw new StorageUnavailableException(Describe(exception.SqliteErrorCode), exception);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.StorageFailed(_logger, 0, exception);
            throw new StorageUnavailableException("the storage folder cannot be used", exception);
        }
    }

    private long Cutoff() => _time.GetUtcNow().AddHours(-_options.ConversationIdleHours).ToUnixTimeMilliseconds();

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        return await ConnectAsync(cancellationToken);
    }

    private async Task<SqliteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the schema once; a failure (read-only disk) is retried on the next call rather than remembered.</summary>
    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
            return;
        await _schemaLock.WaitAsync(cancellationToken);
        try
        {
            if (_schemaReady)
                return;
            Directory.CreateDirectory(Folder);
            try
            {
                await CreateSchemaAsync(cancellationToken);
            }
            catch (SqliteException exception) when ((exception.SqliteErrorCode & 0xFF) is 11 or 26)
            {
                MoveAside(exception);
                await CreateSchemaAsync(cancellationToken);
            }
            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    /// <summary>Renames a damaged database (and its journal files) aside so a fresh one can be created.</summary>
    private void MoveAside(SqliteException exception)
    {
        SqliteConnection.ClearAllPools();
        var aside = $"{DatabasePath}.corrupt-{_time.GetUtcNow():yyyyMMddHHmmss}";
        File.Move(DatabasePath, aside, overwrite: true);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(DatabasePath + suffix))
                File.Move(DatabasePath + suffix, aside + suffix, overwrite: true);
        }
        Log.DatabaseMovedAside(_logger, DatabasePath, aside, exception.SqliteErrorCode, exception);
    }

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        await using (var check = connection.CreateCommand())
        {
            // Reading the header and every page's structure finds a file that is not SQLite or is malformed.
            check.CommandText = "PRAGMA quick_check";
            var result = (string?)await check.ExecuteScalarAsync(cancellationToken);
            if (result != "ok")
                throw new SqliteException($"quick_check: {result}", 11);
        }
        long autoVacuum;
        await using (var mode = connection.CreateCommand())
        {
            mode.CommandText = "PRAGMA auto_vacuum";
            autoVacuum = Convert.ToInt64(await mode.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        await using var schema = connection.CreateCommand();
        schema.CommandText = """
            PRAGMA auto_vacuum = INCREMENTAL;
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, owner TEXT);
            CREATE TABLE IF NOT EXISTS turns (
                conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, answer_id TEXT NOT NULL, question TEXT NOT NULL,
                state TEXT NOT NULL, answer TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (conversation_id, seq));
            CREATE TABLE IF NOT EXISTS answers (answer_id TEXT PRIMARY KEY, question TEXT NOT NULL, answer TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS feedback (
                id INTEGER PRIMARY KEY AUTOINCREMENT, answer_id TEXT NOT NULL, positive INTEGER NOT NULL, comment TEXT,
                channel TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);
            CREATE TRIGGER IF NOT EXISTS keep_answers AFTER INSERT ON turns BEGIN
                INSERT OR IGNORE INTO answers (answer_id, question, answer, created_at) VALUES (NEW.answer_id, NEW.question, NEW.answer, NEW.created_at);
            END;
            """;
        await schema.ExecuteNonQueryAsync(cancellationToken);

        await using (var columns = connection.CreateCommand())
        {
            // Databases from before per-client limits lack the owner column.
            columns.CommandText = "SELECT COUNT(*) FROM pragma_table_info('conversations') WHERE name = 'owner'";
            if (Convert.ToInt64(await columns.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
            {
                await using var alter = connection.CreateCommand();
                alter.CommandText = "ALTER TABLE conversations ADD COLUMN owner TEXT";
                await alter.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await using (var indexes = connection.CreateCommand())
        {
            indexes.CommandText = """
                CREATE INDEX IF NOT EXISTS conversations_updated ON conversations (updated_at);
                CREATE INDEX IF NOT EXISTS conversations_owner ON conversations (owner, updated_at) WHERE owner IS NOT NULL;
                CREATE INDEX IF NOT EXISTS turns_answer ON turns (answer_id);
                CREATE INDEX IF NOT EXISTS feedback_answer ON feedback (answer_id);
                """;
            await indexes.ExecuteNonQueryAsync(cancellationToken);
        }
        if (autoVacuum != 2)
        {
            // An existing database switches to incremental auto-vacuum only through one full VACUUM.
            await using var vacuum = connection.CreateCommand();
            vacuum.CommandText = "VACUUM";
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _writeLock.Dispose();
        _schemaLock.Dispose();
    }
}
