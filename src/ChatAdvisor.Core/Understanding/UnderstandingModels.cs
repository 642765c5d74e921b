using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Core.Topics;

namespace ChatAdvisor.Core.Understanding;

/// <summary>
/// The classifiers a question is understood with, each trained on an example set of the corpus (<see cref="ExampleSet"/>)
/// over the question's embedding: its kind, the verdict the articles give for the situation it describes, and the act
/// a follow-up performs. A corpus without an example set has no model for it (null), and the analysis falls back to
/// what it reads from the words.
/// </summary>
/// <remarks>
/// Trained once per corpus and embedding model: kept for the process (keyed by the example sets' hashes and the index
/// settings) and on disk beside the index, so a restart reads the weights instead of embedding every example again.
/// Immutable and thread-safe.
/// </remarks>
public sealed class UnderstandingModels
{
    /// <summary>The example set of question kinds.</summary>
    public const string KindSet = "kinds";

    /// <summary>The example set of situations labelled with the verdict the articles support (an entity id or <see cref="Depends"/>).</summary>
    public const string VerdictSet = "verdicts";

    /// <summary>The example set of follow-up acts.</summary>
    public const string FollowUpSet = "followups";

    /// <summary>The verdict label of a situation whose needs point to different entities.</summary>
    public const string Depends = "depends";

    /// <summary>Every example set a corpus may bring, in the order they are trained.</summary>
    public static IReadOnlyList<string> SetNames { get; } = [KindSet, VerdictSet, FollowUpSet];

    private const string CacheHeader = "chatadvisor-understanding/1";
    private static readonly ConcurrentDictionary<string, Lazy<Task<UnderstandingModels>>> Trained = new(StringComparer.Ordinal);

    /// <summary>No models: every decision falls back to the words.</summary>
    public static UnderstandingModels None { get; } = new(new Dictionary<string, LinearClassifier>());

    private readonly IReadOnlyDictionary<string, LinearClassifier> _models;

    private UnderstandingModels(IReadOnlyDictionary<string, LinearClassifier> models) => _models = models;

    /// <summary>What is trained, for logs and <c>/readyz</c>: "kinds (7 labels), verdicts (4 labels), …" or "no example sets".</summary>
    public string Describe() => _models.Count == 0 ? "no example sets"
        : string.Join(", ", _models.Select(m => $"{m.Key} ({m.Value.Labels.Count} labels)"));

    /// <summary>The question-kind classifier, or null.</summary>
    public LinearClassifier? Kinds => _models.GetValueOrDefault(KindSet);

    /// <summary>The situation → verdict classifier, or null.</summary>
    public LinearClassifier? Verdicts => _models.GetValueOrDefault(VerdictSet);

    /// <summary>The follow-up act classifier, or null.</summary>
    public LinearClassifier? FollowUps => _models.GetValueOrDefault(FollowUpSet);

    /// <summary>
    /// The models for the example sets in <paramref name="corpusPath"/>, trained on first use with the vectors of
    /// <paramref name="embedder"/> (none without one) and cached in <paramref name="cacheFolder"/> when given.
    /// </summary>
    /// <exception cref="InvalidDataException">An example set has a line that is not an example.</exception>
    public static Task<UnderstandingModels> GetAsync(IndexSnapshot snapshot, string corpusPath, TopicProfile topic, HybridRetriever? embedder,
        string? cacheFolder, CancellationToken cancellationToken = default)
    {
        if (embedder is null || snapshot.Vectors is null)
            return Task.FromResult(None);
        // Asked on every question: the sets are read and hashed again only when one of their files changed (a stat each).
        var stamp = FilesStamp(corpusPath);
        var known = ForSnapshot.GetOrCreateValue(snapshot);
        if (Volatile.Read(ref known.Current) is { } current && current.Stamp == stamp)
            return current.Models.WaitAsync(cancellationToken);
        var sets = SetNames.Select(n => ExampleSet.Load(corpusPath, n)).OfType<ExampleSet>().ToList();
        var models = sets.Count == 0 ? Task.FromResult(None)
            : Trained.GetOrAdd(CacheKey(snapshot, sets), k => new Lazy<Task<UnderstandingModels>>(() => LoadOrTrainAsync(k, sets, topic, embedder, cacheFolder))).Value;
        Volatile.Write(ref known.Current, new StampedModels(stamp, models));
        return models.WaitAsync(cancellationToken);
    }

    private sealed record StampedModels(string Stamp, Task<UnderstandingModels> Models);

    private sealed class SnapshotModels
    {
        public StampedModels? Current;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IndexSnapshot, SnapshotModels> ForSnapshot = [];

    /// <summary>The length and last write time of each example set file of <paramref name="corpusPath"/>.</summary>
    private static string FilesStamp(string corpusPath)
        => string.Join(";", SetNames.Select(n => new FileInfo(Path.Combine(corpusPath, n + ".jsonl")))
            .Select(f => f.Exists ? $"{f.Length}@{f.LastWriteTimeUtc.Ticks}" : "-"));

    /// <summary>Each example set's cross-validated accuracy and confusions (5 folds) at the L2 penalty <paramref name="l2"/>, for the <c>understanding</c> command.</summary>
    public static async Task<IReadOnlyList<(ExampleSet Set, CrossValidation Result)>> CrossValidateAsync(string corpusPath, TopicProfile topic,
        HybridRetriever embedder, float l2 = LinearClassifier.DefaultL2, CancellationToken cancellationToken = default)
    {
        var results = new List<(ExampleSet, CrossValidation)>();
        foreach (var set in SetNames.Select(n => ExampleSet.Load(corpusPath, n)).OfType<ExampleSet>())
        {
            var vectors = await EmbedAsync(set, topic, embedder, cancellationToken);
            results.Add((set, LinearClassifier.CrossValidate(vectors, [.. set.Examples.Select(e => e.Label)], l2: l2)));
        }
        return results;
    }

    /// <summary>
    /// The text a classifier reads for a message: the message as the analysis reads it (instructions removed, chat
    /// shorthand written out, described entities named), so examples and questions are embedded alike.
    /// </summary>
    public static string Readable(string text, TopicProfile topic) => QuestionAnalyzer.Readable(text, topic);

    private static string CacheKey(IndexSnapshot snapshot, IEnumerable<ExampleSet> sets)
    {
        var text = snapshot.SettingsKey + ";" + string.Join(";", sets.Select(s => s.Name + "=" + s.Hash)) + ";l2=" + LinearClassifier.DefaultL2;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static async Task<UnderstandingModels> LoadOrTrainAsync(string key, IReadOnlyList<ExampleSet> sets, TopicProfile topic,
        HybridRetriever embedder, string? cacheFolder)
    {
        var path = cacheFolder is null ? null : Path.Combine(cacheFolder, "understanding.bin");
        if (path is not null && TryLoad(path, key) is { } cached)
            return cached;
        var models = new Dictionary<string, LinearClassifier>(StringComparer.Ordinal);
        foreach (var set in sets)
        {
            if (set.Labels.Count < 2)
                continue;
            var vectors = await EmbedAsync(set, topic, embedder, CancellationToken.None);
            models[set.Name] = LinearClassifier.Train(vectors, [.. set.Examples.Select(e => e.Label)]);
        }
        var result = new UnderstandingModels(models);
        if (path is not null)
            TrySave(path, key, result);
        return result;
    }

    private static async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(ExampleSet set, TopicProfile topic, HybridRetriever embedder, CancellationToken cancellationToken)
        => await embedder.EmbedQueriesAsync([.. set.Examples.Select(e => Readable(e.Text, topic))], cancellationToken);

    private static UnderstandingModels? TryLoad(string path, string key)
    {
        try
        {
            if (!File.Exists(path))
                return null;
            using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (reader.ReadString() != CacheHeader || reader.ReadString() != key)
                return null;
            int count = reader.ReadInt32();
            var models = new Dictionary<string, LinearClassifier>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
                models[reader.ReadString()] = LinearClassifier.Read(reader);
            return new UnderstandingModels(models);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or EndOfStreamException or UnauthorizedAccessException)
        {
            // A damaged or unreadable cache is trained anew.
            return null;
        }
    }

    private static void TrySave(string path, string key, UnderstandingModels models)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var writer = new BinaryWriter(File.Create(temporary), Encoding.UTF8))
            {
                writer.Write(CacheHeader);
                writer.Write(key);
                writer.Write(models._models.Count);
                foreach (var (name, model) in models._models)
                {
                    writer.Write(name);
                    model.Write(writer);
                }
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache only saves time: without it the models are trained again on the next start.
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
            }
        }
    }
}
