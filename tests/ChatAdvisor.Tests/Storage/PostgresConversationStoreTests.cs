using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Storage;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ChatAdvisor.Tests.Storage;

/// <summary>The shared conversation store against a real PostgreSQL server; two store instances stand for two replicas.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresConversationStoreTests(PostgresServer server) : IAsyncLifetime
{
    private PostgresTestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync(server);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private PostgresConversationStore Replica(TimeProvider? time = null, StorageOptions? options = null)
    {
        return new PostgresConversationStore(_database.NewReplica(), Options.Create(options ?? new StorageOptions()), time ?? TimeProvider.System,
            NullLogger<PostgresConversationStore>.Instance);
    }

    private static ConversationTurn Turn(int n, string conversation = "c-1") => new(
        $"question {n}",
        new TurnState(QuestionKind.General, ["flask"], [], false, false, null, ["flask"], null, $"question {n}"),
        new AdvisorAnswer(conversation, $"{conversation}-a-{n}", $"answer {n} [1]", true, [new Citation(1, "doc", "Doc", null, "quote")], []));

    [Fact]
    public async Task AppendAsync_OnOneReplica_IsReadOnTheOther()
    {
        var a = Replica();
        var b = Replica();
        await a.AppendAsync("c-1", Turn(1));
        await b.AppendAsync("c-1", Turn(2));

        var history = await a.GetHistoryAsync("c-1");

        Assert.Equal(["question 1", "question 2"], history.Turns.Select(t => t.Question));
        Assert.Equal(2, history.Version);
        Assert.Equal(["flask"], history.Turns[1].Understood.Entities);
        Assert.Equal("answer 2 [1]", history.Turns[1].Answer.Text);
    }

    [Fact]
    public async Task AppendAsync_AnsweredFromAStaleHistory_IsRefusedAndWritesNothing()
    {
        var a = Replica();
        var b = Replica();
        await a.AppendAsync("c-1", Turn(1));
        var seenByA = await a.GetHistoryAsync("c-1");
        var seenByB = await b.GetHistoryAsync("c-1");

        await b.AppendAsync("c-1", Turn(2), client: null, seenByB.Version);
        var conflict = await Assert.ThrowsAsync<ConversationChangedException>(() => a.AppendAsync("c-1", Turn(3), client: null, seenByA.Version));

        Assert.Equal((1, 2), (conflict.Expected, conflict.Actual));
        Assert.Equal(["question 1", "question 2"], (await a.GetTurnsAsync("c-1")).Select(t => t.Question));
    }

    [Fact]
    public async Task AppendAsync_ConcurrentlyThroughTwoReplicas_KeepsEveryTurnInOrder()
    {
        var replicas = new[] { Replica(), Replica() };
        await replicas[0].InitializeAsync();

        // 40 turns, each retried on the version it read until it lands, the way a turn is answered again on conflict.
        await Parallel.ForEachAsync(Enumerable.Range(1, 40), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
        {
            var store = replicas[n % 2];
            while (true)
            {
                var history = await store.GetHistoryAsync("c-busy", ct);
                try
                {
                    await store.AppendAsync("c-busy", Turn(n, "c-busy"), client: null, history.Version, ct);
                    return;
                }
                catch (ConversationChangedException)
                {
                }
            }
        });

        var stored = await replicas[1].GetHistoryAsync("c-busy");
        Assert.Equal(20, stored.Turns.Count);
        Assert.Equal(40, stored.Version);
        Assert.Equal(20, stored.Turns.Select(t => t.Question).Distinct().Count());
    }

    [Fact]
    public async Task AppendAsync_PastTheLimit_TrimsOldestTurns()
    {
        var store = Replica(options: new StorageOptions { MaxTurnsPerConversation = 3 });
        for (int i = 1; i <= 5; i++)
            await store.AppendAsync("c-1", Turn(i));

        Assert.Equal(["question 3", "question 4", "question 5"], (await store.GetTurnsAsync("c-1")).Select(t => t.Question));
    }

    [Fact]
    public async Task IdleConversation_ExpiresAndStartsAfreshWhenUsedAgain()
    {
        var time = new ManualTimeProvider();
        var store = Replica(time, new StorageOptions { ConversationIdleHours = 2 });
        await store.AppendAsync("c-1", Turn(1));
        time.Advance(TimeSpan.FromHours(3));

        Assert.Equal(ConversationHistory.Empty, await store.GetHistoryAsync("c-1"));
        await store.AppendAsync("c-1", Turn(2), client: null, expectedVersion: 0);
        Assert.Equal(["question 2"], (await store.GetTurnsAsync("c-1")).Select(t => t.Question));

        time.Advance(TimeSpan.FromHours(3));
        Assert.Equal(1, await store.ExpireIdleAsync());
    }

    [Fact]
    public async Task NewConversationOfAClientPastItsCap_EvictsThatClientsOldest()
    {
        var time = new ManualTimeProvider();
        var store = Replica(time, new StorageOptions { MaxConversationsPerClient = 2 });
        foreach (var id in new[] { "api:1", "api:2", "api:3" })
        {
            await store.AppendAsync(id, Turn(1, id), client: "client-a");
            time.Advance(TimeSpan.FromSeconds(1));
        }
        await store.AppendAsync("webchat:x", Turn(1, "webchat:x"));

        Assert.Empty(await store.GetTurnsAsync("api:1"));
        Assert.Single(await store.GetTurnsAsync("api:2"));
        Assert.Single(await store.GetTurnsAsync("api:3"));
        Assert.Single(await store.GetTurnsAsync("webchat:x"));
    }

    [Fact]
    public async Task Feedback_IsStoredWithTheAnswerItRates()
    {
        var a = Replica();
        var b = Replica();
        await a.AppendAsync("c-1", Turn(1));

        Assert.True(await b.RecordFeedbackAsync(new AnswerFeedback("c-1-a-1", Positive: false, "too vague", "slack")));
        Assert.False(await b.RecordFeedbackAsync(new AnswerFeedback("no-such-answer", true, null, "slack")));

        var feedback = Assert.Single(await a.GetFeedbackAsync("c-1-a-1"));
        Assert.Equal((false, "too vague", "slack", "question 1", "answer 1 [1]"), feedback);
    }

    [Fact]
    public async Task CleanUp_OverTheSizeCap_EvictsLeastRecentlyUsed()
    {
        var time = new ManualTimeProvider();
        var store = Replica(time, new StorageOptions { MaxDatabaseBytes = 64 * 1024 });
        for (int i = 0; i < 60; i++)
        {
            var id = $"c-{i}";
            var turn = Turn(1, id);
            // Random text, which PostgreSQL cannot compress away.
            var text = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(1_000));
            await store.AppendAsync(id, turn with { Answer = turn.Answer with { Text = text } });
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await store.CleanUpAsync();

        Assert.Empty(await store.GetTurnsAsync("c-0"));
        Assert.Single(await store.GetTurnsAsync("c-59"));
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        Assert.True(await PostgresConversationStore.UsedBytesAsync(connection, default) <= 64 * 1024);
    }

    [Fact]
    public async Task Migrations_FromReplicasStartingTogether_AreAppliedOnce()
    {
        var replicas = Enumerable.Range(0, 6).Select(_ => Replica()).ToList();

        await Task.WhenAll(replicas.Select(r => r.InitializeAsync()));

        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(PostgresDatabase.Migrations.Count, reader.GetInt64(0));
        Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
    }

    [Fact]
    public async Task Probe_WorkingDatabase_ReportsNoProblem()
        => Assert.Null(await Replica().ProbeAsync());

    [Fact]
    public async Task UnreachableServer_FailsWithAMessageThatKeepsTheSecret()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Port = 1, Password = "s3cret-pass", Timeout = 2 }.ConnectionString;
        await using var database = new PostgresDatabase(unreachable, NullLogger<PostgresDatabase>.Instance);
        var store = new PostgresConversationStore(database, Options.Create(new StorageOptions()), TimeProvider.System, NullLogger<PostgresConversationStore>.Instance);

        var failure = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.GetTurnsAsync("c-1"));
        var probe = await store.ProbeAsync();

        Assert.Equal("the PostgreSQL server cannot be reached", failure.Message);
        Assert.Equal("the PostgreSQL server cannot be reached", probe);
        Assert.DoesNotContain("s3cret", failure.Message + probe);
    }
}
