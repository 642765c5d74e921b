using System.Text.Json;
using ChatAdvisor.Core.Answering;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Conversations;

/// <summary>One recorded turn: the question, what the advisor understood of it, and the answer.</summary>
/// <param name="Question">The question as asked.</param>
/// <param name="Understood">The resolved analysis, kept so follow-ups can build on it.</param>
/// <param name="Answer">The answer given.</param>
public sealed record ConversationTurn(string Question, TurnState Understood, AdvisorAnswer Answer);

/// <summary>What is remembered of a turn's question for resolving the next one.</summary>
public sealed record TurnState(
    QuestionKind Kind,
    IReadOnlyList<Framework> Frameworks,
    IReadOnlyList<string> Aspects,
    bool WantsPros,
    bool WantsCons,
    string? UseCase,
    IReadOnlyList<string> Terms,
    Framework? Recommended,
    string Resolved)
{
    /// <summary>Captures the state of an answered question.</summary>
    public static TurnState From(QuestionAnalysis q, Framework? recommended) =>
        new(q.Kind, q.Frameworks, [.. q.Aspects.Select(a => a.Id)], q.WantsPros, q.WantsCons, q.UseCase, q.Terms, recommended, q.Resolved);

    /// <summary>Turns the state back into an analysis that follow-up resolution can merge with.</summary>
    public QuestionAnalysis ToAnalysis() => new()
    {
        Text = Resolved,
        Kind = Kind,
        Frameworks = Frameworks,
        Aspects = [.. QuestionAnalyzer.Aspects.Where(a => Aspects.Contains(a.Id))],
        WantsPros = WantsPros,
        WantsCons = WantsCons,
        UseCase = UseCase,
        Terms = Terms,
        Recommended = Recommended,
        Resolved = Resolved,
    };
}

/// <summary>
/// Conversation state in an embedded SQLite database in the storage folder: it survives restarts, keeps at
/// most <see cref="StorageOptions.MaxTurnsPerConversation"/> turns per conversation and expires conversations
/// idle for longer than <see cref="StorageOptions.ConversationIdleHours"/>. Feedback is stored with a copy of
/// the question and answer it rates.
/// </summary>
/// <remarks>Thread-safe: writes are serialised; each call uses its own connection.</remarks>
public sealed class ConversationStore : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _connectionString;
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ConversationStore> _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lazy<Task> _schema;
    private long _writesSinceExpiry;

    /// <summary>Creates the store; the database file is created on first use.</summary>
    public ConversationStore(IOptions<StorageOptions> options, ContentRootPath root, TimeProvider time, ILogger<ConversationStore> logger)
    {
        _options = options.Value;
        var folder = root.Resolve(_options.Path);
        DatabasePath = Path.Combine(folder, "conversations.db");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Cache = SqliteCacheMode.Private }.ToString();
        _time = time;
        _logger = logger;
        _schema = new Lazy<Task>(CreateSchemaAsync);
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The turns of a conversation, oldest first; empty when it is unknown or has expired.</summary>
    public async Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT t.question, t.state, t.answer FROM turns t JOIN conversations c ON c.id = t.conversation_id
            WHERE t.conversation_id = $id AND c.updated_at >= $cutoff ORDER BY t.seq
            """;
        command.Parameters.AddWithValue("$id", conversationId);
        command.Parameters.AddWithValue("$cutoff", Cutoff());
        var turns = new List<ConversationTurn>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            turns.Add(new ConversationTurn(reader.GetString(0),
                JsonSerializer.Deserialize<TurnState>(reader.GetString(1), Json)!,
                JsonSerializer.Deserialize<AdvisorAnswer>(reader.GetString(2), Json)!));
        }
        return turns;
    }

    /// <summary>Appends a turn, creating the conversation if needed and trimming old turns, in one transaction.</summary>
    public async Task AppendAsync(string conversationId, ConversationTurn turn, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();

            await using (var expireOld = connection.CreateCommand())
            {
                // An expired conversation that is used again starts afresh under the same id.
                expireOld.CommandText = "DELETE FROM turns WHERE conversation_id = $id AND EXISTS (SELECT 1 FROM conversations WHERE id = $id AND updated_at < $cutoff)";
                expireOld.Parameters.AddWithValue("$id", conversationId);
                expireOld.Parameters.AddWithValue("$cutoff", Cutoff());
                await expireOld.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var upsert = connection.CreateCommand())
            {
                upsert.CommandText = """
                    INSERT INTO conversations (id, created_at, updated_at) VALUES ($id, $now, $now)
                    ON CONFLICT(id) DO UPDATE SET updated_at = $now
                    """;
                upsert.Parameters.AddWithValue("$id", conversationId);
                upsert.Parameters.AddWithValue("$now", now);
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
                insert.Parameters.AddWithValue("$state", JsonSerializer.Serialize(turn.Understood, Json));
                insert.Parameters.AddWithValue("$answer", JsonSerializer.Serialize(turn.Answer, Json));
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
        finally
        {
            _writeLock.Release();
        }
        if (Interlocked.Increment(ref _writesSinceExpiry) % 500 == 1)
            await ExpireIdleAsync(cancellationToken);
    }

    /// <summary>Stores feedback with a copy of the answer it rates. Returns false when the answer id is unknown.</summary>
    public async Task<bool> RecordFeedbackAsync(AnswerFeedback feedback, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
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
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The feedback recorded for an answer, newest last (for tests and reports).</summary>
    public async Task<IReadOnlyList<(bool Positive, string? Comment, string Channel, string Question, string AnswerText)>> GetFeedbackAsync(string answerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT positive, comment, channel, question, answer FROM feedback WHERE answer_id = $id ORDER BY id";
        command.Parameters.AddWithValue("$id", answerId);
        var list = new List<(bool, string?, string, string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var answer = JsonSerializer.Deserialize<AdvisorAnswer>(reader.GetString(4), Json)!;
            list.Add((reader.GetInt64(0) == 1, reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3), answer.Text));
        }
        return list;
    }

    /// <summary>Deletes conversations idle past the limit. Returns how many were deleted.</summary>
    public async Task<int> ExpireIdleAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
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
            int deleted = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (deleted > 0)
                Log.ConversationsExpired(_logger, deleted);
            return deleted;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private long Cutoff() => _time.GetUtcNow().AddHours(-_options.ConversationIdleHours).ToUnixTimeMilliseconds();

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await _schema.Value.WaitAsync(cancellationToken);
        return await ConnectAsync(cancellationToken);
    }

    private async Task<SqliteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    private async Task CreateSchemaAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await using var connection = await ConnectAsync(CancellationToken.None);
        await using var schema = connection.CreateCommand();
        schema.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS turns (
                conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, answer_id TEXT NOT NULL, question TEXT NOT NULL,
                state TEXT NOT NULL, answer TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (conversation_id, seq));
            CREATE TABLE IF NOT EXISTS answers (answer_id TEXT PRIMARY KEY, question TEXT NOT NULL, answer TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS feedback (
                id INTEGER PRIMARY KEY AUTOINCREMENT, answer_id TEXT NOT NULL, positive INTEGER NOT NULL, comment TEXT,
                channel TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE TRIGGER IF NOT EXISTS keep_answers AFTER INSERT ON turns BEGIN
                INSERT OR IGNORE INTO answers (answer_id, question, answer, created_at) VALUES (NEW.answer_id, NEW.question, NEW.answer, NEW.created_at);
            END;
            """;
        await schema.ExecuteNonQueryAsync();
    }

    /// <inheritdoc />
    public void Dispose() => _writeLock.Dispose();
}
