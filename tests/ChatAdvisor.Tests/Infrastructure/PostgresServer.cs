using System.Diagnostics;
using Npgsql;

namespace ChatAdvisor.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the tests: the one named by <c>CHATADVISOR_TEST_POSTGRES</c> (CI starts one), else a
/// throwaway cluster this fixture starts with <c>tools/postgres/test-cluster.sh</c> and stops at the end. Each test gets
/// a database of its own from <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>The environment variable that names an already running server (a connection string to its admin database).</summary>
    public const string EnvironmentVariable = "CHATADVISOR_TEST_POSTGRES";

    private string? _clusterFolder;

    /// <summary>A connection string to a database on the server that may create databases.</summary>
    public string AdminConnectionString { get; private set; } = "";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            AdminConnectionString = configured;
            return;
        }
        // World-readable so that, run as root, the cluster's own system user can reach its folder.
        _clusterFolder = Directory.CreateTempSubdirectory("chatadvisor-pg-").FullName;
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_clusterFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        AdminConnectionString = (await RunScriptAsync("start", _clusterFolder)).Trim();
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_clusterFolder is null)
            return;
        await RunScriptAsync("stop", _clusterFolder);
        try
        {
            Directory.Delete(_clusterFolder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<string> RunScriptAsync(string command, string folder)
    {
        var script = Path.Combine(RepoPaths.Root, "tools", "postgres", "test-cluster.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(Path.Combine(folder, "cluster"));
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"test-cluster.sh {command} failed ({process.ExitCode}): {await error}");
        return await output;
    }
}

/// <summary>Shares one PostgreSQL server between the test classes that need it.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "PostgreSQL";
}

/// <summary>
/// A test class's own empty database on the shared server, and connection pools on it (each one stands for a replica),
/// all disposed with it.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    private readonly List<ChatAdvisor.Storage.PostgresDatabase> _replicas = [];

    private PostgresTestDatabase(string connectionString) => ConnectionString = connectionString;

    /// <summary>The connection string of the database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates an empty database on <paramref name="server"/>.</summary>
    public static async Task<PostgresTestDatabase> CreateAsync(PostgresServer server) => new(await server.CreateDatabaseAsync());

    /// <summary>A new connection pool on the database, as one replica has.</summary>
    public ChatAdvisor.Storage.PostgresDatabase NewReplica()
    {
        var database = new ChatAdvisor.Storage.PostgresDatabase(ConnectionString,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ChatAdvisor.Storage.PostgresDatabase>.Instance);
        _replicas.Add(database);
        return database;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var database in _replicas)
            await database.DisposeAsync();
    }
}
