using ChatAdvisor.Core;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Storage;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Tests.Storage;

/// <summary>What every channel memory must do, whether it lives in the process or in the shared database.</summary>
public abstract class ChannelMemoryContract
{
    /// <summary>A memory on <paramref name="time"/>; a second call stands for a second replica where the memory is shared.</summary>
    protected abstract Task<IChannelMemory> CreateAsync(TimeProvider time);

    [Fact]
    public async Task TryClaim_TheSameDeliveryTwice_IsTakenOnce()
    {
        var memory = await CreateAsync(new ManualTimeProvider());

        Assert.True(await memory.TryClaimAsync("teams", "activity-1", TimeSpan.FromHours(1)));
        Assert.False(await memory.TryClaimAsync("teams", "activity-1", TimeSpan.FromHours(1)));
        Assert.True(await memory.TryClaimAsync("slack", "activity-1", TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task TryClaim_AfterItsTimeToLiveOrARelease_IsTakenAgain()
    {
        var time = new ManualTimeProvider();
        var memory = await CreateAsync(time);
        await memory.TryClaimAsync("teams", "a", TimeSpan.FromMinutes(5));
        await memory.TryClaimAsync("teams", "b", TimeSpan.FromMinutes(5));

        await memory.ReleaseAsync("teams", "b");
        time.Advance(TimeSpan.FromMinutes(6));

        Assert.True(await memory.TryClaimAsync("teams", "a", TimeSpan.FromMinutes(5)));
        Assert.True(await memory.TryClaimAsync("teams", "b", TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task SetThenGet_ReturnsTheValueUntilItExpires()
    {
        var time = new ManualTimeProvider();
        var memory = await CreateAsync(time);

        await memory.SetAsync("teams-replies", "reply-1", "answer-1", TimeSpan.FromHours(1));
        await memory.SetAsync("teams-replies", "reply-1", "answer-2", TimeSpan.FromHours(1));
        Assert.Equal("answer-2", await memory.GetAsync("teams-replies", "reply-1"));
        Assert.Null(await memory.GetAsync("teams-replies", "reply-2"));

        time.Advance(TimeSpan.FromHours(2));
        Assert.Null(await memory.GetAsync("teams-replies", "reply-1"));
    }

    [Fact]
    public async Task Increment_CountsWithinTheWindowAndStartsAgainAfterIt()
    {
        var time = new ManualTimeProvider();
        var memory = await CreateAsync(time);

        for (int i = 1; i <= 3; i++)
            Assert.Equal(i, await memory.IncrementAsync("rate", "client-a", TimeSpan.FromMinutes(1)));
        Assert.Equal(1, await memory.IncrementAsync("rate", "client-b", TimeSpan.FromMinutes(1)));
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, await memory.IncrementAsync("rate", "client-a", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task TryClaim_RacedByTwoReplicas_EachDeliveryIsTakenExactlyOnce()
    {
        var time = new ManualTimeProvider();
        var replicas = new[] { await CreateAsync(time), await CreateAsync(time) };
        int taken = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
        {
            if (await replicas[n % 2].TryClaimAsync("slack", $"event-{n / 2}", TimeSpan.FromHours(1), ct))
                Interlocked.Increment(ref taken);
        });

        Assert.Equal(200, taken);
    }
}

public sealed class InMemoryChannelMemoryTests : ChannelMemoryContract
{
    private IChannelMemory? _shared;

    // One process: the "second replica" is the same memory.
    protected override Task<IChannelMemory> CreateAsync(TimeProvider time) => Task.FromResult(_shared ??= new InMemoryChannelMemory(time));
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresChannelMemoryTests(PostgresServer server) : ChannelMemoryContract, IAsyncLifetime
{
    private PostgresTestDatabase _database = null!;
    private PostgresDatabase? _first;

    public async Task InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync(server);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    protected override Task<IChannelMemory> CreateAsync(TimeProvider time)
    {
        var database = _database.NewReplica();
        _first ??= database;
        return Task.FromResult<IChannelMemory>(new PostgresChannelMemory(database, time));
    }

    [Fact]
    public async Task CleanUp_DeletesExpiredEntries()
    {
        var time = new ManualTimeProvider();
        var memory = await CreateAsync(time);
        await memory.SetAsync("slack-threads", "t1", "", TimeSpan.FromMinutes(1));
        await memory.SetAsync("slack-threads", "t2", "", TimeSpan.FromHours(1));
        time.Advance(TimeSpan.FromMinutes(2));

        var store = new PostgresConversationStore(_first!, Options.Create(new StorageOptions()), time, NullLogger<PostgresConversationStore>.Instance);
        await store.CleanUpAsync();

        await using var connection = await _first!.OpenAsync(default);
        await using var count = new Npgsql.NpgsqlCommand("SELECT COUNT(*) FROM channel_memory", connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }
}
