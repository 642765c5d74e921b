using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatAdvisor.Storage;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ChatAdvisor.Tests.Storage;

/// <summary>What every Direct Line log must do, in the process or in the shared database.</summary>
public abstract class DirectLineLogContract
{
    /// <summary>A log keeping <paramref name="maxActivities"/> per conversation; a second call is a second replica where logs are shared.</summary>
    protected abstract Task<IDirectLineLog> CreateAsync(int maxActivities = 500);

    private static JsonObject Message(string text) => new() { ["type"] = "message", ["text"] = text };

    private static JsonElement Parse(LoggedActivity activity) => JsonDocument.Parse(activity.Json).RootElement;

    [Fact]
    public async Task GetOrCreate_KeepsTheFirstOwner()
    {
        var log = await CreateAsync();

        var (first, created) = await log.GetOrCreateAsync("dl-1", "user-a");
        var (second, createdAgain) = await log.GetOrCreateAsync("dl-1", "user-b");

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal("user-a", first.UserId);
        Assert.Equal("user-a", second.UserId);
        Assert.Equal("user-a", (await log.GetAsync("dl-1"))!.UserId);
        Assert.Null(await log.GetAsync("dl-none"));
    }

    [Fact]
    public async Task Append_NumbersAndStampsActivitiesInOrder()
    {
        var log = await CreateAsync();
        await log.GetOrCreateAsync("dl-1", "user-a");

        var logged = new List<LoggedActivity>();
        for (int i = 0; i < 5; i++)
            logged.Add(await log.AppendAsync("dl-1", Message($"m{i}")));

        Assert.Equal([0L, 1, 2, 3, 4], logged.Select(a => a.Sequence));
        Assert.Equal("dl-1|0000003", Parse(logged[3]).GetProperty("id").GetString());
        Assert.Equal("dl-1", Parse(logged[3]).GetProperty("conversation").GetProperty("id").GetString());
        var stamps = logged.Select(a => DateTimeOffset.Parse(Parse(a).GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(stamps.Zip(stamps.Skip(1)).All(p => p.Second > p.First), "timestamps strictly increase");
        Assert.Equal(["m3", "m4"], (await log.ReadAsync("dl-1", 2)).Select(a => Parse(a).GetProperty("text").GetString()));
        Assert.Equal(4, await log.LatestAsync("dl-1"));
        Assert.Equal(-1, await log.LatestAsync("dl-none"));
    }

    [Fact]
    public async Task Append_TheSameClientActivityTwice_IsLoggedOnce()
    {
        var log = await CreateAsync();
        await log.GetOrCreateAsync("dl-1", "user-a");

        var first = await log.AppendAsync("dl-1", Message("hello"), clientActivityId: "client-7");
        var again = await log.AppendAsync("dl-1", Message("hello"), clientActivityId: "client-7");

        Assert.Equal(first, again);
        Assert.Single(await log.ReadAsync("dl-1", -1));
    }

    [Fact]
    public async Task Append_PastTheLimit_KeepsTheLatest()
    {
        var log = await CreateAsync(maxActivities: 3);
        await log.GetOrCreateAsync("dl-1", "user-a");
        for (int i = 0; i < 6; i++)
            await log.AppendAsync("dl-1", Message($"m{i}"));

        Assert.Equal([3L, 4, 5], (await log.ReadAsync("dl-1", -1)).Select(a => a.Sequence));
    }

    [Fact]
    public async Task Append_FromTwoReplicasAtOnce_GivesOneContiguousOrder()
    {
        var a = await CreateAsync();
        var b = await CreateAsync();
        await a.GetOrCreateAsync("dl-busy", "user-a");

        await Parallel.ForEachAsync(Enumerable.Range(0, 60), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
            await (n % 2 == 0 ? a : b).AppendAsync("dl-busy", Message($"m{n}"), cancellationToken: ct));

        var all = await b.ReadAsync("dl-busy", -1);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), all.Select(x => x.Sequence));
        Assert.Equal(60, all.Select(x => Parse(x).GetProperty("text").GetString()).Distinct().Count());
        var stamps = all.Select(x => Parse(x).GetProperty("timestamp").GetString()!).ToList();
        Assert.Equal(stamps.Order(StringComparer.Ordinal), stamps);
    }
}

public sealed class InMemoryDirectLineLogTests : DirectLineLogContract
{
    private InMemoryDirectLineLog? _shared;

    protected override Task<IDirectLineLog> CreateAsync(int maxActivities = 500)
        => Task.FromResult<IDirectLineLog>(_shared ??= new InMemoryDirectLineLog(TimeProvider.System, maxActivities));

    [Fact]
    public async Task Events_ReportAppendsAndSignals()
    {
        var log = new InMemoryDirectLineLog(TimeProvider.System, 10);
        var seen = new List<string>();
        log.Appended += (id, activity) => seen.Add($"{id} {activity.Sequence}");
        log.Signalled += (id, json) => seen.Add($"{id} {JsonDocument.Parse(json).RootElement.GetProperty("type").GetString()}");
        await log.GetOrCreateAsync("dl-1", "user-a");

        await log.AppendAsync("dl-1", new JsonObject { ["type"] = "message" });
        await log.SignalAsync("dl-1", new JsonObject { ["type"] = "typing" });

        Assert.Equal(["dl-1 0", "dl-1 typing"], seen);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDirectLineLogTests(PostgresServer server) : DirectLineLogContract, IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _listeners = [];
    private PostgresTestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync(server);

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_listeners);
        await _database.DisposeAsync();
    }

    protected override Task<IDirectLineLog> CreateAsync(int maxActivities = 500) => Task.FromResult<IDirectLineLog>(Replica(maxActivities));

    private PostgresDirectLineLog Replica(int maxActivities = 500)
    {
        return new PostgresDirectLineLog(_database.NewReplica(), TimeProvider.System, maxActivities, NullLogger<PostgresDirectLineLog>.Instance);
    }

    private async Task ListenAsync(PostgresDirectLineLog log)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _listeners.Add(log.Listen(() => ready.TrySetResult(), _stop.Token));
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task Until(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
            await Task.Delay(25);
        Assert.True(condition());
    }

    [Fact]
    public async Task Listen_ReportsWhatAnotherReplicaLoggedAndSignalled_InOrder()
    {
        var writer = Replica();
        var reader = Replica();
        var seen = new ConcurrentQueue<string>();
        reader.Appended += (id, activity) => seen.Enqueue($"{id} {activity.Sequence} {JsonDocument.Parse(activity.Json).RootElement.GetProperty("text").GetString()}");
        reader.Signalled += (id, json) => seen.Enqueue($"{id} {JsonDocument.Parse(json).RootElement.GetProperty("type").GetString()}");
        await ListenAsync(reader);
        await writer.GetOrCreateAsync("dl-1", "user-a");

        await writer.SignalAsync("dl-1", new JsonObject { ["type"] = "typing" });
        for (int i = 0; i < 3; i++)
            await writer.AppendAsync("dl-1", new JsonObject { ["type"] = "message", ["text"] = $"m{i}" });

        await Until(() => seen.Count == 4);
        Assert.Equal(["dl-1 typing", "dl-1 0 m0", "dl-1 1 m1", "dl-1 2 m2"], seen);
    }

    [Fact]
    public async Task Listen_AfterItsConnectionIsKilled_ReconnectsAndAsksStreamsToResync()
    {
        var writer = Replica();
        var reader = Replica();
        int resynced = 0;
        var seen = new ConcurrentQueue<long>();
        reader.Resynced += () => Interlocked.Increment(ref resynced);
        reader.Appended += (_, activity) => seen.Enqueue(activity.Sequence);
        await ListenAsync(reader);
        await writer.GetOrCreateAsync("dl-1", "user-a");

        await using (var admin = new NpgsqlConnection(_database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()", admin);
            await kill.ExecuteNonQueryAsync();
        }

        await Until(() => Volatile.Read(ref resynced) == 1);
        await writer.AppendAsync("dl-1", new JsonObject { ["type"] = "message", ["text"] = "after" });
        await Until(() => seen.Contains(0));
    }

    [Fact]
    public async Task DeleteIdle_RemovesOldConversationsWithTheirActivities()
    {
        var log = Replica();
        await log.GetOrCreateAsync("dl-old", "user-a");
        await log.AppendAsync("dl-old", new JsonObject { ["type"] = "message" });

        Assert.Equal(1, await log.DeleteIdleAsync(DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Null(await log.GetAsync("dl-old"));
        Assert.Empty(await log.ReadAsync("dl-old", -1));
    }
}
