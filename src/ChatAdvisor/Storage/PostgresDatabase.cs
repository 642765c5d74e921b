using System.Net.Sockets;
using ChatAdvisor.Core.Conversations;
using Npgsql;

namespace ChatAdvisor.Storage;

/// <summary>
/// The PostgreSQL database every replica shares (<c>Storage:Provider=postgres</c>): one connection pool, the schema
/// migrations, and one mapping of its failures to <see cref="StorageUnavailableException"/> messages that are safe to
/// log and show (never the connection string, which may hold a password).
/// </summary>
/// <remarks>
/// Migrations run at start under a PostgreSQL advisory lock, so replicas that start together apply each one exactly
/// once; each is recorded in <c>schema_migrations</c> and never edited once released (add a new one instead).
/// </remarks>
public sealed class PostgresDatabase : IAsyncDisposable
{
    /// <summary>The advisory lock key that serialises migrations across replicas ("chatadv" in ASCII).</summary>
    private const long MigrationLock = 0x63686174616476;

    private readonly ILogger<PostgresDatabase> _logger;
    private readonly SemaphoreSlim _migrated = new(1, 1);
    private volatile bool _ready;

    /// <summary>Opens the pool over <paramref name="connectionString"/> (connections are made on first use).</summary>
    public PostgresDatabase(string connectionString, ILogger<PostgresDatabase> logger)
    {
        _logger = logger;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "chatadvisor";
        DataSource = builder.Build();
    }

    /// <summary>The connection pool.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// The migrations in order. Version numbers only grow; a released migration is never changed, because replicas of
    /// the previous release may still be running against the same database.
    /// </summary>
    internal static readonly IReadOnlyList<(int Version, string Name, string Sql)> Migrations =
    [
        (1, "conversations, turns, answers, feedback", """
            CREATE TABLE conversations (
                id text PRIMARY KEY, created_at bigint NOT NULL, updated_at bigint NOT NULL, owner text,
                version bigint NOT NULL DEFAULT 0);
            CREATE INDEX conversations_updated ON conversations (updated_at);
            CREATE INDEX conversations_owner ON conversations (owner, updated_at) WHERE owner IS NOT NULL;
            CREATE TABLE turns (
                conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE, seq bigint NOT NULL,
                answer_id text NOT NULL, question text NOT NULL, state text NOT NULL, answer text NOT NULL,
                created_at bigint NOT NULL, PRIMARY KEY (conversation_id, seq));
            CREATE INDEX turns_answer ON turns (answer_id);
            CREATE TABLE answers (answer_id text PRIMARY KEY, question text NOT NULL, answer text NOT NULL, created_at bigint NOT NULL);
            CREATE TABLE feedback (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, answer_id text NOT NULL, positive boolean NOT NULL,
                comment text, channel text NOT NULL, question text NOT NULL, answer text NOT NULL, created_at bigint NOT NULL);
            CREATE INDEX feedback_answer ON feedback (answer_id);
            CREATE TABLE probe (id text PRIMARY KEY, at bigint NOT NULL);
            """),
        (2, "channel memory: deliveries taken, replies' answers, joined threads, request counters", """
            CREATE TABLE channel_memory (
                scope text NOT NULL, key text NOT NULL, value text NOT NULL, expires_at bigint NOT NULL, PRIMARY KEY (scope, key));
            CREATE INDEX channel_memory_expires ON channel_memory (expires_at);
            """),
        (3, "Direct Line conversations and their activity logs", """
            CREATE TABLE directline_conversations (
                id text PRIMARY KEY, user_id text NOT NULL, created_at bigint NOT NULL, updated_at bigint NOT NULL,
                next_seq bigint NOT NULL DEFAULT 0, last_timestamp bigint NOT NULL DEFAULT 0);
            CREATE INDEX directline_conversations_updated ON directline_conversations (updated_at);
            CREATE TABLE directline_activities (
                conversation_id text NOT NULL REFERENCES directline_conversations (id) ON DELETE CASCADE, seq bigint NOT NULL,
                json text NOT NULL, client_activity_id text, PRIMARY KEY (conversation_id, seq));
            CREATE UNIQUE INDEX directline_activities_client ON directline_activities (conversation_id, client_activity_id)
                WHERE client_activity_id IS NOT NULL;
            """),
        (4, "Direct Line: one reply per question, and questions leased to the replica answering them", """
            ALTER TABLE directline_activities ADD COLUMN reply_to bigint;
            CREATE UNIQUE INDEX directline_activities_reply ON directline_activities (conversation_id, reply_to)
                WHERE reply_to IS NOT NULL;
            CREATE TABLE directline_pending (
                conversation_id text NOT NULL REFERENCES directline_conversations (id) ON DELETE CASCADE, seq bigint NOT NULL,
                owner text NOT NULL, lease_until bigint NOT NULL, PRIMARY KEY (conversation_id, seq));
            CREATE INDEX directline_pending_lease ON directline_pending (lease_until);
            CREATE INDEX directline_pending_owner ON directline_pending (owner);
            """),
    ];

    /// <summary>
    /// Applies the migrations this database lacks, once per process; replicas starting together wait on one advisory lock.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (_ready)
            return;
        await _migrated.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
                return;
            await GuardAsync(async () =>
            {
                await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await Execute(connection, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", MigrationLock));
                await Execute(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken);
                var applied = new HashSet<int>();
                await using (var read = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
                await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                        applied.Add(reader.GetInt32(0));
                }
                foreach (var (version, name, sql) in Migrations.Where(m => !applied.Contains(m.Version)))
                {
                    await Execute(connection, sql, cancellationToken);
                    await Execute(connection, "INSERT INTO schema_migrations (version, name) VALUES (@version, @name)", cancellationToken, ("version", version), ("name", name));
                    StorageLog.MigrationApplied(_logger, version, name);
                }
                await transaction.CommitAsync(cancellationToken);
                return 0;
            });
            _ready = true;
        }
        finally
        {
            _migrated.Release();
        }
    }

    /// <summary>Opens a connection once the schema is in place.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        return await DataSource.OpenConnectionAsync(cancellationToken);
    }

    /// <summary>Runs a database call, turning the database's failures into <see cref="StorageUnavailableException"/>.</summary>
    public async Task<T> GuardAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception exception) when (Describe(exception) is { } problem)
        {
            StorageLog.DatabaseFailed(_logger, problem, exception);
            throw new StorageUnavailableException(problem, exception);
        }
    }

    /// <summary>
    /// A short description of a database failure (null for exceptions that are not the database's, such as cancellation
    /// or <see cref="ConversationChangedException"/>).
    /// </summary>
    public static string? Describe(Exception exception) => exception switch
    {
        PostgresException { SqlState: "28P01" or "28000" } => "PostgreSQL refused the credentials in ConnectionStrings:Postgres",
        PostgresException { SqlState: "3D000" } => "the PostgreSQL database named in ConnectionStrings:Postgres does not exist",
        PostgresException { SqlState: "53100" } => "the PostgreSQL server's disk is full",
        PostgresException { SqlState: "25006" } => "the PostgreSQL database is read-only",
        PostgresException { SqlState: "57P01" or "57P02" or "57P03" } => "the PostgreSQL server is starting or shutting down",
        PostgresException { SqlState: "53300" } => "the PostgreSQL server has no free connections",
        PostgresException postgres => $"the PostgreSQL database failed (SQLSTATE {postgres.SqlState})",
        NpgsqlException { InnerException: SocketException or IOException } => "the PostgreSQL server cannot be reached",
        NpgsqlException { InnerException: TimeoutException } or TimeoutException => "the PostgreSQL server did not answer in time",
        NpgsqlException => "the PostgreSQL database cannot be used",
        _ => null,
    };

    /// <summary>Runs one statement with named parameters.</summary>
    public static async Task<int> Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        _migrated.Dispose();
    }
}
