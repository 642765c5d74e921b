using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Ingestion;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Retrieval;

/// <summary>
/// Owns the current <see cref="IndexSnapshot"/>: loads it from the disk cache when the corpus files and settings
/// are unchanged, otherwise builds and caches it; rebuilds it when a corpus file changes.
/// </summary>
/// <remarks>Thread-safe: readers always see a complete snapshot; a rebuild swaps it atomically.</remarks>
public sealed class IndexProvider : IReadinessContributor, IDisposable
{
    private readonly IndexBuilder _builder;
    private readonly ILogger<IndexProvider> _logger;
    private readonly SemaphoreSlim _buildLock = new(1, 1);
    private readonly bool _watch;
    private volatile IndexSnapshot? _current;
    private FileSystemWatcher? _watcher;
    private Timer? _debounce;
    private string? _lastProblem;

    /// <summary>Creates the provider; nothing is read until the index is first needed.</summary>
    public IndexProvider(IOptions<CorpusOptions> corpus, IOptions<StorageOptions> storage, IOptions<ChunkingOptions> chunking,
        ITokenCounter tokenCounter, ContentRootPath root, ILogger<IndexProvider> logger,
        IEmbeddingGenerator<string, Embedding<float>>? embeddings = null)
    {
        CorpusPath = root.Resolve(corpus.Value.Path);
        CachePath = Path.Combine(root.Resolve(storage.Value.Path), "index.bin");
        _builder = new IndexBuilder(chunking.Value, tokenCounter, embeddings) { MaxFileBytes = corpus.Value.MaxFileBytes };
        _logger = logger;
        _watch = corpus.Value.WatchForChanges;
    }

    /// <summary>The corpus folder.</summary>
    public string CorpusPath { get; }

    /// <summary>The index cache file.</summary>
    public string CachePath { get; }

    /// <inheritdoc />
    public string Name => "index";

    /// <summary>The current snapshot, loading or building it on first use.</summary>
    public async ValueTask<IndexSnapshot> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_current is { } current)
            return current;
        await _buildLock.WaitAsync(cancellationToken);
        try
        {
            if (_current is null)
            {
                _current = await Task.Run(() => LoadOrBuildAsync(force: false, progress: null, embedded: null, cancellationToken), cancellationToken);
                StartWatching();
            }
            return _current;
        }
        finally
        {
            _buildLock.Release();
        }
    }

    /// <summary>
    /// Rebuilds the index now (when <paramref name="force"/> or the corpus changed) and makes it current.
    /// <paramref name="progress"/> hears about files read, <paramref name="embedded"/> about chunks embedded.
    /// </summary>
    public async Task<IndexSnapshot> RebuildAsync(bool force, IProgress<(int Done, int Total)>? progress = null,
        IProgress<(int Done, int Total)>? embedded = null, CancellationToken cancellationToken = default)
    {
        await _buildLock.WaitAsync(cancellationToken);
        try
        {
            _current = await Task.Run(() => LoadOrBuildAsync(force, progress, embedded, cancellationToken), cancellationToken);
            return _current;
        }
        finally
        {
            _buildLock.Release();
        }
    }

    private async Task<IndexSnapshot> LoadOrBuildAsync(bool force, IProgress<(int Done, int Total)>? progress,
        IProgress<(int Done, int Total)>? embedded, CancellationToken cancellationToken)
    {
        var stamps = CorpusLoader.Stamp(CorpusPath);
        string reason = "rebuild requested";
        if (!force)
        {
            if (_current is { } current && Same(current, stamps))
                return current;
            var cached = IndexStore.TryLoad(CachePath, out var problem, _builder.LanguageWords);
            if (cached is not null && Same(cached, stamps))
            {
                Log.IndexLoaded(_logger, cached.Articles.Count, cached.Chunks.Count);
                ReportSkipped(cached);
                return cached;
            }
            reason = cached is null ? problem! : "the corpus or the settings changed";
        }

        var snapshot = await _builder.AddVectorsAsync(_builder.Build(CorpusPath, progress, cancellationToken), embedded, cancellationToken);
        Log.IndexBuilt(_logger, snapshot.Articles.Count, snapshot.Chunks.Count, (long)snapshot.Built.Duration.TotalMilliseconds, reason);
        ReportSkipped(snapshot);
        try
        {
            IndexStore.Save(snapshot, CachePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.IndexSaveFailed(_logger, CachePath, e);
        }
        return snapshot;
    }

    private bool Same(IndexSnapshot snapshot, IReadOnlyList<CorpusFileStamp> stamps)
        => snapshot.SettingsKey == _builder.SettingsKey && snapshot.Stamps.SequenceEqual(stamps);

    private void ReportSkipped(IndexSnapshot snapshot)
    {
        foreach (var skipped in snapshot.Skipped)
            Log.FileSkipped(_logger, skipped.File, skipped.Problem ?? "unknown problem");
    }

    private void StartWatching()
    {
        if (!_watch || _watcher is not null || !Directory.Exists(CorpusPath))
            return;
        _debounce = new Timer(_ => _ = ReindexAfterChangeAsync(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(CorpusPath) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        FileSystemEventHandler changed = (_, _) => _debounce.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        _watcher.Created += changed;
        _watcher.Changed += changed;
        _watcher.Deleted += changed;
        _watcher.Renamed += (_, _) => _debounce.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
    }

    private async Task ReindexAfterChangeAsync()
    {
        try
        {
            await RebuildAsync(force: false);
            _lastProblem = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        {
            _lastProblem = "re-indexing after a corpus change failed; the previous index is in use";
            Log.ReindexFailed(_logger, e);
        }
    }

    /// <inheritdoc />
    public ComponentStatus GetStatus()
    {
        var current = _current;
        if (current is null)
            return new ComponentStatus(false, "the index is being built");
        var detail = $"{current.Articles.Count} articles, {current.Chunks.Count} chunks" +
            (current.Built.FromCache ? ", loaded from cache" : $", built in {current.Built.Duration.TotalMilliseconds:0} ms") +
            (current.Skipped.Count > 0 ? $", {current.Skipped.Count} files skipped" : "") +
            (_lastProblem is not null ? "; " + _lastProblem : "");
        return new ComponentStatus(current.Chunks.Count > 0, detail);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
        _buildLock.Dispose();
    }
}
