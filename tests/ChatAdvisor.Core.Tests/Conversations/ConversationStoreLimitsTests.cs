using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Tests.Conversations;

public class ConversationStoreLimitsTests
{
    private static ConversationStore Store(TempFolder folder, TimeProvider time, StorageOptions options) => new(
        Options.Create(options), new ContentRootPath(folder.Path), time, NullLogger<ConversationStore>.Instance);

    private static StorageOptions Settings(Action<StorageOptions>? change = null)
    {
        var options = new StorageOptions { Path = "storage", ConversationIdleHours = 24 };
        change?.Invoke(options);
        return options;
    }

    private static ConversationTurn Turn(int n, int answerChars = 40) => new(
        $"question {n}",
        new TurnState(QuestionKind.General, ["flask"], [], false, false, null, ["flask"], null, $"question {n}"),
        new AdvisorAnswer("c", $"a-{n}-{Guid.NewGuid():N}", $"answer {n} " + new string('x', answerChars), true, [new Citation(1, "doc", "Doc", null, "quote")], []));

    private static long Scalar(ConversationStore store, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={store.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task ScheduledCleanup_DeletesExpiredConversations_WithIncrementalVacuum()
    {
        using var folder = new TempFolder();
        var time = new ManualTimeProvider();
        var options = Settings(o => { o.ConversationIdleHours = 2; o.CleanupIntervalMinutes = 60; });
        using var store = Store(folder, time, options);
        using var maintenance = new StorageMaintenance(store, Options.Create(options), time, NullLogger<StorageMaintenance>.Instance);
        await maintenance.StartAsync(CancellationToken.None);
        await store.AppendAsync("c-old", Turn(1));
        time.Advance(TimeSpan.FromMinutes(90));
        await store.AppendAsync("c-recent", Turn(2));

        time.Advance(TimeSpan.FromMinutes(90)); // the hourly job runs at 2 h and 3 h: then c-old is 3 h idle, c-recent 1.5 h
        for (int i = 0; i < 100 && Scalar(store, "SELECT COUNT(*) FROM conversations") != 1; i++)
            await Task.Delay(50);

        Assert.Equal(1, Scalar(store, "SELECT COUNT(*) FROM conversations WHERE id = 'c-recent'"));
        Assert.Equal(1, Scalar(store, "SELECT COUNT(*) FROM conversations"));
        Assert.Equal(0, Scalar(store, "SELECT COUNT(*) FROM turns WHERE conversation_id = 'c-old'"));
        Assert.Equal(2, Scalar(store, "PRAGMA auto_vacuum")); // 2 = incremental
        await maintenance.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AppendAsync_PastTheDatabaseCap_EvictsTheLeastRecentlyUsedConversations()
    {
        using var folder = new TempFolder();
        var time = new ManualTimeProvider();
        const long cap = 256 * 1024;
        using var store = Store(folder, time, Settings(o => o.MaxDatabaseBytes = cap));
        for (int i = 0; i < 120; i++)
        {
            await store.AppendAsync($"c-{i}", Turn(i, answerChars: 6_000));
            time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.True(await store.GetUsedBytesAsync() <= cap, $"{await store.GetUsedBytesAsync()} bytes used, cap {cap}");
        Assert.Empty(await store.GetTurnsAsync("c-0"));
        Assert.Single(await store.GetTurnsAsync("c-119"));
        Assert.Single(await store.GetTurnsAsync("c-118"));
        Assert.True(new FileInfo(store.DatabasePath).Length <= cap * 2, "free pages are returned to the file system");
    }

    [Fact]
    public async Task AppendAsync_OneClientFloods_OnlyItsOwnOldestConversationsAreEvicted()
    {
        using var folder = new TempFolder();
        var time = new ManualTimeProvider();
        using var store = Store(folder, time, Settings(o => o.MaxConversationsPerClient = 5));
        await store.AppendAsync("api:mine", Turn(0), "ip:198.51.100.7");
        time.Advance(TimeSpan.FromSeconds(1));

        for (int i = 0; i < 50; i++)
        {
            await store.AppendAsync($"api:flood-{i}", Turn(i), "ip:203.0.113.9");
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Single(await store.GetTurnsAsync("api:mine"));
        Assert.Equal(5, Scalar(store, "SELECT COUNT(*) FROM conversations WHERE owner = 'ip:203.0.113.9'"));
        Assert.Empty(await store.GetTurnsAsync("api:flood-44"));
        Assert.Single(await store.GetTurnsAsync("api:flood-45"));
        Assert.Single(await store.GetTurnsAsync("api:flood-49"));
    }

    [Fact]
    public async Task AppendAsync_HugeAnswer_IsStoredCutToTheLimit()
    {
        using var folder = new TempFolder();
        using var store = Store(folder, new ManualTimeProvider(), Settings(o => o.MaxStoredAnswerChars = 1_000));
        var turn = Turn(1, answerChars: 200_000);
        turn = turn with { Answer = turn.Answer with { Citations = [.. Enumerable.Range(1, 100).Select(n => new Citation(n, "doc", "Doc", null, new string('q', 50_000)))] } };

        await store.AppendAsync("c-1", turn);

        var stored = Assert.Single(await store.GetTurnsAsync("c-1")).Answer;
        Assert.True(stored.Text.Length <= 1_000);
        Assert.Equal(32, stored.Citations.Count);
        Assert.All(stored.Citations, c => Assert.True(c.Quote.Length <= 2_000));
        Assert.True(Scalar(store, "SELECT MAX(LENGTH(answer)) FROM turns") < 80_000);
    }

    [Fact]
    public async Task InitializeAsync_NotASqliteFile_IsMovedAsideAndAFreshDatabaseCreated()
    {
        using var folder = new TempFolder();
        var garbage = folder.Write("storage/conversations.db", new string('#', 10_000));
        using var store = Store(folder, new ManualTimeProvider(), Settings());

        await store.InitializeAsync();
        await store.AppendAsync("c-1", Turn(1));

        Assert.Single(await store.GetTurnsAsync("c-1"));
        var aside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(garbage)!, "conversations.db.corrupt-*"));
        Assert.Equal(10_000, new FileInfo(aside).Length);
    }
}
