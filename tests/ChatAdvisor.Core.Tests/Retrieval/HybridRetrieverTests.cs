using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Tests.Retrieval;

/// <summary>The repository's corpus indexed with the shipped static embedding, shared by a test class.</summary>
public sealed class EmbeddedCorpusFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public EmbeddedCorpusFixture()
    {
        var builder = new IndexBuilder(new ChunkingOptions(), TestModels.TokenCounter, TestModels.Arctic);
        Snapshot = builder.AddVectorsAsync(builder.Build(_folder.CopyCorpus())).GetAwaiter().GetResult();
    }

    public IndexSnapshot Snapshot { get; }

    public void Dispose() => _folder.Dispose();
}

public class HybridRetrieverTests(EmbeddedCorpusFixture corpus) : IClassFixture<EmbeddedCorpusFixture>
{
    private static HybridRetriever Retriever(RetrievalOptions? options = null)
        => new(new Retriever(), TestModels.Arctic, Options.Create(options ?? new RetrievalOptions()));

    [Fact]
    public async Task SearchAsync_ParaphraseSharingNoKeyword_HybridFindsThePassageLexicalMisses()
    {
        const string question = "Which one should a novice pick up?";

        var lexical = await Retriever().SearchAsync(corpus.Snapshot, question, 3, RetrieverKind.Lexical);
        var hybrid = await Retriever().SearchAsync(corpus.Snapshot, question, 3, RetrieverKind.Hybrid);

        Assert.DoesNotContain(lexical, h => h.Chunk.Text.Contains("beginner", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(hybrid, h => h.Chunk.Text.Contains("beginner", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SearchAsync_ComparisonQuestion_TopFiveDrawOnSeveralArticles()
    {
        var hits = await Retriever().SearchAsync(corpus.Snapshot, "Django vs Flask vs FastAPI: how do they compare?", 5, comparison: true);

        Assert.True(hits.Select(h => h.Chunk.DocumentId).Distinct().Count() >= 3,
            "articles in the top 5: " + string.Join(", ", hits.Select(h => h.Chunk.DocumentId)));
    }

    [Fact]
    public async Task SearchAsync_LowerMmrLambda_SpreadsResultsOverMoreArticles()
    {
        const string question = "What are the advantages of Flask?";

        var plain = await Retriever(new RetrievalOptions { MmrLambda = 1 }).SearchAsync(corpus.Snapshot, question, 8);
        var diverse = await Retriever(new RetrievalOptions { MmrLambda = 0.5f }).SearchAsync(corpus.Snapshot, question, 8);

        Assert.Equal(plain[0].Chunk, diverse[0].Chunk);
        Assert.True(Redundancy(diverse) < Redundancy(plain), $"mean pairwise similarity {Redundancy(diverse):0.000} (MMR) vs {Redundancy(plain):0.000}");
    }

    private double Redundancy(IReadOnlyList<SearchHit> hits)
    {
        var pairs = hits.SelectMany((a, i) => hits.Skip(i + 1).Select(b => (double)corpus.Snapshot.Vectors!.Similarity(a.Chunk.Index, b.Chunk.Index))).ToList();
        return pairs.Average();
    }

    [Fact]
    public async Task SearchAsync_VectorKind_RescoresInFloat32AndRanksByCosine()
    {
        var hits = await Retriever().SearchAsync(corpus.Snapshot, "Which framework should beginners learn first?", 5, RetrieverKind.Vector);
        var question = TestModels.Arctic.Embed(["Which framework should beginners learn first?"], query: true)[0];

        var (texts, rowsPerChunk) = IndexBuilder.EmbeddingTexts(corpus.Snapshot);
        Assert.Equal(5, hits.Count);
        foreach (var hit in hits)
        {
            // A chunk scores as its best row (the whole chunk, or one passage in it); the float query against the int8
            // rows stays within the rows' rounding error of the exact cosine.
            var rows = TestModels.Arctic.Embed([.. rowsPerChunk[hit.Chunk.Index].Select(r => texts[r])]);
            var exact = rows.Max(row => System.Numerics.Tensors.TensorPrimitives.Dot(question, row));
            Assert.Equal(exact, (float)hit.Score, 2);
        }
        Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public async Task IsNearCorpusAsync_OffTopicAndParaphrase_SeparatedByTheThreshold()
    {
        Assert.False(await Retriever().IsNearCorpusAsync(corpus.Snapshot, "Give me a recipe for banana bread"));
        Assert.True(await Retriever().IsNearCorpusAsync(corpus.Snapshot, "How long until a new app is up and running?"));
    }

    [Fact]
    public void Fuse_DocumentInBothRankings_OutranksDocumentsInOne()
    {
        var lexical = new List<(int, float)> { (1, 9f), (2, 5f), (3, 1f) };
        var vector = new List<(int, float)> { (4, 0.9f), (2, 0.8f), (5, 0.1f) };

        foreach (var fusion in new[] { FusionMethod.Rrf, FusionMethod.Weighted })
        {
            var fused = HybridRetriever.Fuse(lexical, vector, new RetrievalOptions { Fusion = fusion, VectorWeight = 0.5f });

            Assert.Equal(2, fused[0].Document);
            Assert.Equal(5, fused.Count);
        }
    }

    [Fact]
    public void Fuse_VectorWeightZero_KeepsTheLexicalOrder()
    {
        var lexical = new List<(int, float)> { (3, 9f), (1, 5f), (2, 1f) };
        var vector = new List<(int, float)> { (2, 0.9f), (1, 0.8f) };

        var fused = HybridRetriever.Fuse(lexical, vector, new RetrievalOptions { Fusion = FusionMethod.Weighted, VectorWeight = 0 });

        Assert.Equal([3, 1, 2], fused.Take(3).Select(f => f.Document));
    }

    [Fact]
    public void Fuse_KeywordsCoverLittleOfTheQuestion_MeaningDecides()
    {
        // The keyword side's best match shares one common word with the question; the vector side is sure of another.
        var lexical = new List<(int, float)> { (3, 2f), (1, 1.5f), (2, 0.2f) };
        var vector = new List<(int, float)> { (2, 0.62f), (3, 0.6f), (1, 0.3f) };
        var settings = new RetrievalOptions { Fusion = FusionMethod.Weighted, VectorWeight = 0.8f };

        Assert.Equal(3, HybridRetriever.Fuse(lexical, vector, settings)[0].Document);
        Assert.Equal(2, HybridRetriever.Fuse(lexical, vector, settings, lexicalShare: 0.1f)[0].Document);
    }

    [Fact]
    public void WithoutDirection_FullWeight_LeavesAUnitVectorOrthogonalToTheDirection()
    {
        float[] query = [0.6f, 0.8f, 0f];
        float[] direction = [1f, 0f, 0f];

        var result = HybridRetriever.WithoutDirection(query, direction, 1f).ToArray();

        Assert.Equal(0f, result[0], 5);
        Assert.Equal(1f, result[1], 5);
        Assert.Equal(query, HybridRetriever.WithoutDirection(query, direction, 0f).ToArray());
        Assert.Equal(query, HybridRetriever.WithoutDirection(query, ReadOnlyMemory<float>.Empty, 1f).ToArray());
    }

    [Fact]
    public async Task Search_RequestWithItsAdviceFramingRemoved_RanksThePassageItIsAboutHigher()
    {
        // A request for advice is close in meaning to every passage that talks about choosing in general; what it is
        // about ranks higher once the generic request's direction is taken out.
        var retriever = Retriever(new RetrievalOptions { Mode = RetrieverKind.Vector });
        var question = await retriever.EmbedQueryAsync("I want to put a trained model behind an endpoint for lots of users");
        var generic = await retriever.EmbedQueryAsync("Which framework should I choose?");
        var query = new SearchQuery([], []);

        int RankOfServing(ReadOnlyMemory<float> vector)
        {
            var hits = retriever.Search(corpus.Snapshot, query, vector, 20, RetrieverKind.Vector);
            int rank = hits.ToList().FindIndex(h => h.Chunk.Text.Contains("machine learning services", StringComparison.Ordinal)
                || h.Chunk.Text.Contains("ML inference", StringComparison.Ordinal));
            return rank < 0 ? int.MaxValue : rank + 1;
        }

        int plain = RankOfServing(question), focused = RankOfServing(HybridRetriever.WithoutDirection(question, generic, new RetrievalOptions().FramingRemoval));
        Assert.True(focused < plain && focused <= 3, $"rank {focused} with the framing removed, {plain} without");
    }
}

public class VectorIndexCacheTests
{
    /// <summary>A stand-in embedding: a fixed vector per text length, under a model id the test chooses.</summary>
    private sealed class FakeEmbedding(string modelId) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public int Calls { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(new[] { 1f, v.Length % 7, 0.5f, 0f }))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null)
            => serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("fake", null, modelId, 4) : null;

        public void Dispose()
        {
        }
    }

    private static IndexProvider Provider(TempFolder folder, IEmbeddingGenerator<string, Embedding<float>> embedding) => new(
        Options.Create(new CorpusOptions { Path = "corpus", WatchForChanges = false }),
        Options.Create(new StorageOptions { Path = "storage" }),
        Options.Create(new ChunkingOptions()),
        TestModels.TokenCounter,
        new ContentRootPath(folder.Path),
        NullLogger<IndexProvider>.Instance,
        embedding);

    [Fact]
    public async Task GetAsync_SameModel_LoadsVectorsFromTheCache()
    {
        using var folder = new TempFolder();
        folder.CopyCorpus();
        IndexSnapshot built;
        using (var first = Provider(folder, new FakeEmbedding("model-a")))
            built = await first.GetAsync();
        var again = new FakeEmbedding("model-a");
        using var second = Provider(folder, again);

        var loaded = await second.GetAsync();

        Assert.True(loaded.Built.FromCache);
        Assert.Equal(0, again.Calls);
        Assert.Equal("model-a", loaded.Vectors!.ModelId);
        Assert.Equal(built.Vectors!.Search([1f, 3f, 0.5f, 0f], 5), loaded.Vectors.Search([1f, 3f, 0.5f, 0f], 5));
    }

    [Fact]
    public async Task GetAsync_EmbeddingModelChanged_RebuildsTheVectors()
    {
        using var folder = new TempFolder();
        folder.CopyCorpus();
        using (var first = Provider(folder, new FakeEmbedding("model-a")))
            await first.GetAsync();
        var other = new FakeEmbedding("model-b");
        using var second = Provider(folder, other);

        var snapshot = await second.GetAsync();

        Assert.False(snapshot.Built.FromCache);
        Assert.True(other.Calls > 0);
        Assert.Equal("model-b", snapshot.Vectors!.ModelId);
        Assert.Equal(snapshot.Chunks.Count, snapshot.Vectors.Count);
    }
}
