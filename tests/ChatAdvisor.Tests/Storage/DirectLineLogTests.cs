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
            logged.Add((await log.AppendAsync("dl-1", Message($"m{i}"))).Activity);

        Assert.Equal([0L, 1, 2, 3, 4], logged.Select(a => a.Sequence));
        Assert.Equal("dl-1|0000003", Parse(logged[3]).GetProperty("id").GetString());
        Assert.Equal("dl-1", Parse(logged[3]).GetProperty("conversation").GetProperty("id").GetString());
        var stamps = logged.Select(a => DateTimeOffset.Parse(Parse(a).GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(stamps.Zip(stamps.Skip(1)).All(p => p.Second > p.First), "timestamps strictly increase");
        Assert.Equal(["m3", "m4"], (await log.ReadAsync("dl-1", 2)).Select(a => Parse(a).GetProperty("text").GetString()));
        Assert.Empty(await log.ReadAsync("dl-1", 4));
        Assert.Empty(await log.ReadAsync("dl-none", -1));
    }

    [Fact]
    public async Task Append_TheSameClientActivityTwice_IsLoggedOnce()
    {
        var log = await CreateAsync();
        await log.GetOrCreateAsync("dl-1", "user-a");

        var first = await log.AppendAsync("dl-1", Message("hello"), clientActivityId: "client-7");
        var again = await log.AppendAsync("dl-1", Message("hello"), clientActivityId: "client-7");

        Assert.True(first.Appended);
        Assert.False(again.Appended);
        Assert.Equal(first.Activity, again.Activity);
        Assert.Single(await log.ReadAsync("dl-1", -1));
    }

    [Fact]
    public async Task Append_ASecondReplyToOneQuestion_IsNotLoggedAndTheTurnEnds()
    {
        var log = await CreateAsync();
        await log.GetOrCreateAsync("dl-1", "user-a");
        var question = (await log.AppendAsync("dl-1", Message("which one?"), awaitsReply: true)).Activity;
        Assert.Equal([new PendingTurn(0, Mine: true, Lapsed: false)], await log.PendingAsync("dl-1", 10));

        var reply = await log.AppendAsync("dl-1", new JsonObject { ["type"] = "message", ["text"] = "this one", ["replyToId"] = "dl-1|0000000" });
        var again = await log.AppendAsync("dl-1", new JsonObject { ["type"] = "message", ["text"] = "that one", ["replyToId"] = "dl-1|0000000" });

        Assert.True(reply.Appended);
        Assert.False(again.Appended);
        Assert.Equal(reply.Activity, again.Activity);
        Assert.Equal([question.Sequence, reply.Activity.Sequence], (await log.ReadAsync("dl-1", -1)).Select(a => a.Sequence));
        Assert.Empty(await log.PendingAsync("dl-1", 10));
        Assert.False(await log.ClaimAsync("dl-1", 0));
    }

    [Fact]
    public async Task Pending_ListsUnansweredQuestionsInOrder_AndTheirOwnerMayTakeThem()
    {
        var log = await CreateAsync();
        await log.GetOrCreateAsync("dl-1", "user-a");
        for (int i = 0; i < 3; i++)
            await log.AppendAsync("dl-1", Message($"q{i}"), awaitsReply: true);
        await log.AppendAsync("dl-1", new JsonObject { ["type"] = "message", ["replyToId"] = "dl-1|0000001" });

        Assert.Equal([0L, 2], (await log.PendingAsync("dl-1", 2)).Select(p => p.Sequence));
        Assert.Equal([0L], (await log.PendingAsync("dl-1", 1)).Select(p => p.Sequence));
        Assert.True(await log.ClaimAsync("dl-1", 2));
        Assert.Empty(await log.ClaimLapsedAsync(10));
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
    public async Task GetOrCreate_AtCapacity_DropsTheLeastRecentlyUsed()
    {
        var time = new Channels.DirectLine.ManualTime(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var log = new InMemoryDirectLineLog(time, 10, maxConversations: 2);
        await log.GetOrCreateAsync("dl-old", "user-a");
        time.Advance(TimeSpan.FromSeconds(1));
        await log.GetOrCreateAsync("dl-recent", "user-b");
        time.Advance(TimeSpan.FromSeconds(1));

        var (_, created) = await log.GetOrCreateAsync("dl-new", "user-c");

        Assert.True(created);
        Assert.Null(await log.GetAsync("dl-old"));
        Assert.NotNull(await log.GetAsync("dl-recent"));
        Assert.Equal(2, log.Count);
    }

    [Fact]
    public async Task ForgetIdle_DropsConversationsUnusedSinceTheCutoff()
    {
        var time = new Channels.DirectLine.ManualTime(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var log = new InMemoryDirectLineLog(time, 10);
        await log.GetOrCreateAsync("dl-idle", "user-a");
        await log.GetOrCreateAsync("dl-used", "user-b");
        time.Advance(TimeSpan.FromMinutes(30));
        await log.ReadAsync("dl-used", -1);

        Assert.Equal(1, await log.ForgetIdleAsync(time.GetUtcNow() - TimeSpan.FromMinutes(10)));
        Assert.Null(await log.GetAsync("dl-idle"));
        Assert.NotNull(await log.GetAsync("dl-used"));
    }

    [Fact]
    public async Task Events_ReportAppendsAndSignals()
    {
        var log = new InMemoryDirectLineLog(TimeProvider.System, 10);
        var seen = new List<string>();
        log.Appended += (id, sequence) => seen.Add($"{id} {sequence}");
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

    private PostgresDirectLineLog Replica(int maxActivities = 500, double leaseSeconds = 10)
        => new(_database.NewReplica(), TimeProvider.System, maxActivities, TimeSpan.FromSeconds(leaseSeconds), NullLogger<PostgresDirectLineLog>.Instance);

    [Fact]
    public async Task Claim_ALiveReplicasQuestion_IsRefused_UntilItsLeaseLapses()
    {
        var dying = Replica(leaseSeconds: 1);
        var survivor = Replica();
        await dying.GetOrCreateAsync("dl-1", "user-a");
        await dying.AppendAsync("dl-1", new JsonObject { ["type"] = "message", ["text"] = "q" }, awaitsReply: true);

        Assert.False(await survivor.ClaimAsync("dl-1", 0));
        Assert.Empty(await survivor.ClaimLapsedAsync(10));
        Assert.Equal([new PendingTurn(0, Mine: false, Lapsed: false)], await survivor.PendingAsync("dl-1", 0));

        // The dying replica stops renewing: after its lease, the survivor takes the question, and only once.
        await Task.Delay(1_200);
        Assert.Equal([new PendingTurn(0, Mine: false, Lapsed: true)], await survivor.PendingAsync("dl-1", 0));
        Assert.Equal([("dl-1", 0L)], await survivor.ClaimLapsedAsync(10));
        Assert.Empty(await survivor.ClaimLapsedAsync(10));
        Assert.False(await dying.ClaimAsync("dl-1", 0));
        Assert.Equal([new PendingTurn(0, Mine: true, Lapsed: false)], await survivor.PendingAsync("dl-1", 0));
    }

    [Fact]
    public async Task Renew_KeepsALiveReplicasQuestions_AndRelease_HandsThemOver()
    {
        var owner = Replica(leaseSeconds: 1);
        var other = Replica();
        await owner.GetOrCreateAsync("dl-1", "user-a");
        await owner.AppendAsync("dl-1", new JsonObject { ["type"] = "message", ["text"] = "q" }, awaitsReply: true);

        for (int i = 0; i < 4; i++)
        {
            await Task.Delay(400);
            await owner.RenewAsync();
        }
        Assert.Empty(await other.ClaimLapsedAsync(10));

        await owner.ReleaseAsync("dl-1", 0);
        Assert.True(await other.ClaimAsync("dl-1", 0));
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
        reader.Appended += (id, sequence) => seen.Enqueue($"{id} {sequence}");
        reader.Signalled += (id, json) => seen.Enqueue($"{id} {JsonDocument.Parse(json).RootElement.GetProperty("type").GetString()}");
        await ListenAsync(reader);
        await writer.GetOrCreateAsync("dl-1", "user-a");

        await writer.SignalAsync("dl-1", new JsonObject { ["type"] = "typing" });
        for (int i = 0; i < 3; i++)
            await writer.AppendAsync("dl-1", new JsonObject { ["type"] = "message", ["text"] = $"m{i}" });

        await Until(() => seen.Count == 4);
        Assert.Equal(["dl-1 typing", "dl-1 0", "dl-1 1", "dl-1 2"], seen);
    }

    [Fact]
    public async Task Listen_AfterItsConnectionIsKilled_ReconnectsAndAsksStreamsToResync()
    {
        var writer = Replica();
        var reader = Replica();
        int resynced = 0;
        var seen = new ConcurrentQueue<long>();
        reader.Resynced += () => Interlocked.Increment(ref resynced);
        reader.Appended += (_, sequence) => seen.Enqueue(sequence);
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
    public async Task ForgetIdle_RemovesOldConversationsWithTheirActivities()
    {
        var log = Replica();
        await log.GetOrCreateAsync("dl-old", "user-a");
        await log.AppendAsync("dl-old", new JsonObject { ["type"] = "message" });

        Assert.Equal(1, await log.ForgetIdleAsync(DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Null(await log.GetAsync("dl-old"));
        Assert.Empty(await log.ReadAsync("dl-old", -1));
    }
}
