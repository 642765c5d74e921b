using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Retrieval;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Tests.Retrieval;

public class IndexCacheTests
{
    private static IndexProvider Provider(TempFolder folder) => new(
        Options.Create(new CorpusOptions { Path = "corpus", WatchForChanges = false }),
        Options.Create(new StorageOptions { Path = "storage" }),
        Options.Create(new ChunkingOptions()),
        TestModels.TokenCounter,
        new ContentRootPath(folder.Path),
        NullLogger<IndexProvider>.Instance);

    [Fact]
    public void SaveThenLoad_Snapshot_RoundTripsEverything()
    {
        using var folder = new TempFolder();
        var snapshot = new IndexBuilder(new ChunkingOptions(), TestModels.TokenCounter).Build(folder.CopyCorpus());
        var path = Path.Combine(folder.Path, "index.bin");

        IndexStore.Save(snapshot, path);
        var loaded = IndexStore.TryLoad(path, out var problem);

        Assert.Null(problem);
        Assert.NotNull(loaded);
        Assert.Equal(snapshot.Chunks, loaded.Chunks);
        Assert.Equal(snapshot.Stamps, loaded.Stamps);
        Assert.Equal(snapshot.Articles.Select(a => a.Units), loaded.Articles.Select(a => a.Units));
        Assert.Equal(snapshot.Lexical.Search(["admin"], 5), loaded.Lexical.Search(["admin"], 5));
        Assert.Empty(Directory.GetFiles(folder.Path, "index.bin.tmp-*"));
    }

    [Theory]
    [InlineData("flip", "checksum")]
    [InlineData("truncate", "truncated")]
    [InlineData("garbage", "bad header")]
    public void TryLoad_DamagedFile_ReportsCorruption(string damage, string expected)
    {
        using var folder = new TempFolder();
        var snapshot = new IndexBuilder(new ChunkingOptions(), TestModels.TokenCounter).Build(folder.CopyCorpus());
        var path = Path.Combine(folder.Path, "index.bin");
        IndexStore.Save(snapshot, path);
        var bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "flip": bytes[^100] ^= 0x5A; File.WriteAllBytes(path, bytes); break;
            case "truncate": File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]); break;
            default: File.WriteAllText(path, "not an index"); break;
        }

        Assert.Null(IndexStore.TryLoad(path, out var problem));
        Assert.Contains(expected, problem);
    }

    [Fact]
    public async Task GetAsync_UnchangedCorpus_LoadsFromCache_ChangedCorpus_Rebuilds()
    {
        using var folder = new TempFolder();
        var corpus = folder.CopyCorpus();

        using (var first = Provider(folder))
            Assert.False((await first.GetAsync()).Built.FromCache);

        using (var second = Provider(folder))
            Assert.True((await second.GetAsync()).Built.FromCache);

        File.AppendAllText(Path.Combine(corpus, "django-flask-fastapi-which-is-better.md"), "\n\nQuokka frameworks are not covered.\n");
        using var third = Provider(folder);
        var rebuilt = await third.GetAsync();
        Assert.False(rebuilt.Built.FromCache);
        Assert.Contains(rebuilt.Chunks, c => c.Text.Contains("Quokka"));
    }

    [Fact]
    public async Task GetAsync_CorruptCache_RebuildsAndRepairsIt()
    {
        using var folder = new TempFolder();
        folder.CopyCorpus();
        using (var first = Provider(folder))
            await first.GetAsync();
        var cache = Path.Combine(folder.Path, "storage", "index.bin");
        File.WriteAllBytes(cache, File.ReadAllBytes(cache)[..1000]);

        using var second = Provider(folder);
        var snapshot = await second.GetAsync();

        Assert.False(snapshot.Built.FromCache);
        Assert.NotNull(IndexStore.TryLoad(cache, out _));
    }

    [Fact]
    public async Task GetAsync_BadFileInCorpus_IsSkippedAndTheRestIndexed()
    {
        using var folder = new TempFolder();
        var corpus = folder.CopyCorpus();
        File.WriteAllBytes(Path.Combine(corpus, "broken.md"), [0, 1, 2, 3, 0xFF]);
        File.WriteAllText(Path.Combine(corpus, "blank.txt"), "");

        using var provider = Provider(folder);
        var snapshot = await provider.GetAsync();

        Assert.Equal(4, snapshot.Articles.Count);
        Assert.Equal(["blank.txt", "broken.md"], snapshot.Skipped.Select(s => s.File).Order());
        Assert.True(provider.GetStatus().Ready);
        Assert.Contains("2 files skipped", provider.GetStatus().Detail);
    }
}

public class CorpusWatchTests
{
    [Fact]
    public async Task GetAsync_FileAddedWhileRunning_IsIndexedWithoutRestart()
    {
        using var folder = new TempFolder();
        var corpus = folder.CopyCorpus();
        using var provider = new IndexProvider(
            Options.Create(new CorpusOptions { Path = "corpus", WatchForChanges = true }),
            Options.Create(new StorageOptions { Path = "storage" }),
            Options.Create(new ChunkingOptions()), TestModels.TokenCounter, new ContentRootPath(folder.Path), NullLogger<IndexProvider>.Instance);
        Assert.Equal(4, (await provider.GetAsync()).Articles.Count);

        File.WriteAllText(Path.Combine(corpus, "new-article.md"), "# Bottle notes\n\nBottle is another microframework, which these notes mention.");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await provider.GetAsync()).Articles.Count < 5 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal(5, (await provider.GetAsync()).Articles.Count);
    }
}

public class CorpusSizeLimitTests
{
    [Fact]
    public async Task GetAsync_FileOverMaxFileBytes_IsSkippedWithAWarningNamingIt()
    {
        using var folder = new TempFolder();
        var corpus = folder.CopyCorpus();
        File.WriteAllText(Path.Combine(corpus, "dump.md"), "# Dump\n\n" + string.Concat(Enumerable.Repeat("Flask and Django and FastAPI. ", 10_000)));
        var logger = new WarningLogger();
        using var provider = new IndexProvider(
            Options.Create(new CorpusOptions { Path = "corpus", WatchForChanges = false, MaxFileBytes = 64 * 1024 }),
            Options.Create(new StorageOptions { Path = "storage" }),
            Options.Create(new ChunkingOptions()), TestModels.TokenCounter, new ContentRootPath(folder.Path), logger);

        var index = await provider.GetAsync();

        Assert.Equal(4, index.Articles.Count);
        Assert.Contains(logger.Warnings, w => w.Contains("dump.md", StringComparison.Ordinal) && w.Contains("Corpus:MaxFileBytes", StringComparison.Ordinal));
    }

    private sealed class WarningLogger : Microsoft.Extensions.Logging.ILogger<IndexProvider>
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Warnings { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == Microsoft.Extensions.Logging.LogLevel.Warning)
                Warnings.Enqueue(formatter(state, exception));
        }
    }
}
