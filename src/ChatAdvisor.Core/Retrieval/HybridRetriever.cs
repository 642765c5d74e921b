using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Retrieval;

/// <summary>Which evidence a search ranks chunks by.</summary>
public enum RetrieverKind
{
    /// <summary>BM25 over stemmed terms only.</summary>
    Lexical,

    /// <summary>Embedding similarity only.</summary>
    Vector,

    /// <summary>Lexical and vector rankings fused, then diversified with MMR.</summary>
    Hybrid,
}

/// <summary>How two rankings are fused.</summary>
public enum FusionMethod
{
    /// <summary>Reciprocal rank fusion: Σ weight / (k + rank).</summary>
    Rrf,

    /// <summary>Each ranking's scores min-max normalised to [0, 1], then a weighted sum.</summary>
    Weighted,
}

/// <summary>
/// Finds the chunks that best answer a question by fusing BM25 (<see cref="Retriever"/>) with embedding
/// similarity (<see cref="VectorIndex"/>), then picking a diverse top-k with maximal marginal relevance so that on
/// comparison questions one article does not crowd out the others.
/// </summary>
/// <remarks>
/// Vector search scores every chunk with int8 vectors and an int8 query, then re-scores the best
/// <see cref="RetrievalOptions.RescoreCandidates"/> with the float32 query against their int8 rows
/// (<see cref="VectorIndex.Rescore"/>), which removes the query's share of the quantisation error without keeping float
/// vectors in memory or embedding passages again. Thread-safe.
/// </remarks>
public sealed class HybridRetriever(Retriever lexical, IEmbeddingGenerator<string, Embedding<float>> embeddings, IOptions<RetrievalOptions> options)
{
    /// <summary>The text a chunk is embedded from (the same text the lexical index analyses).</summary>
    public static string EmbeddingText(Chunking.Chunk chunk) => (chunk.Section ?? "") + "\n" + chunk.Text;

    /// <summary>
    /// The best <paramref name="k"/> chunks for <paramref name="query"/> (the analysed question) and
    /// <paramref name="questionText"/> (the question as asked or as resolved from the conversation), best first.
    /// Falls back to lexical ranking when the index has no vectors. A <paramref name="comparison"/> question is
    /// diversified harder (<see cref="RetrievalOptions.ComparisonMmrLambda"/>), so every article gets a say.
    /// </summary>
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(IndexSnapshot index, SearchQuery query, string questionText, int k,
        RetrieverKind kind = RetrieverKind.Hybrid, bool comparison = false, CancellationToken cancellationToken = default)
    {
        if (kind == RetrieverKind.Lexical || index.Vectors is null || index.Chunks.Count == 0)
            return lexical.Search(index, query, k);
        return Search(index, query, await EmbedQueryAsync(questionText, cancellationToken), k, kind, comparison);
    }

    /// <summary>
    /// Searches as <see cref="SearchAsync(IndexSnapshot, SearchQuery, string, int, RetrieverKind, bool, CancellationToken)"/>
    /// does with the question's vector already embedded (<see cref="EmbedQueryAsync"/>), so a turn embeds its question once.
    /// </summary>
    public IReadOnlyList<SearchHit> Search(IndexSnapshot index, SearchQuery query, ReadOnlyMemory<float> queryVector, int k,
        RetrieverKind kind = RetrieverKind.Hybrid, bool comparison = false)
    {
        var settings = options.Value;
        using var span = Telemetry.StartRetrieval(k, kind.ToString().ToLowerInvariant());
        if (kind == RetrieverKind.Lexical || index.Vectors is null || index.Chunks.Count == 0)
            return lexical.Search(index, query, k);

        int candidates = Math.Max(k, settings.CandidatesPerRetriever);
        var vectorHits = Rescore(index, queryVector, index.Vectors.Search(queryVector.Span, Math.Max(candidates, settings.RescoreCandidates)));
        if (kind == RetrieverKind.Vector)
            return [.. vectorHits.Take(k).Select(h => new SearchHit(index.Chunks[h.Document], h.Score))];

        var lexicalHits = lexical.Search(index, query, candidates);
        // Min-max scaling stretches any keyword ranking to [0, 1], however weak its best match; the keyword side gets a
        // say in proportion to how much of the question its best passage contains, so a paraphrase that shares one
        // common word with a passage is ranked by meaning.
        float lexicalShare = lexicalHits.Count == 0 ? 0 : MathF.Sqrt(index.Lexical.Coverage(lexicalHits[0].Chunk.Index, query.Weights()));
        var fused = Fuse(lexicalHits.Select(h => (h.Chunk.Index, (float)h.Score)).ToList(), vectorHits.Take(candidates).ToList(), settings,
            lexicalShare);
        float lambda = comparison ? settings.ComparisonMmrLambda : settings.MmrLambda;
        var picked = lambda >= 1 ? fused.Take(k).ToList() : Diversify(index, fused, k, lambda);
        return [.. picked.Select(h => new SearchHit(index.Chunks[h.Document], h.Score))];
    }

    /// <summary>Searches with the plain terms of <paramref name="text"/> (spelling-corrected) and its embedding, for tools and benchmarks.</summary>
    public Task<IReadOnlyList<SearchHit>> SearchAsync(IndexSnapshot index, string text, int k, RetrieverKind kind = RetrieverKind.Hybrid,
        bool comparison = false, CancellationToken cancellationToken = default)
    {
        var words = TextAnalyzer.Words(text.AsSpan()).Select(index.Spelling.Correct).ToList();
        return SearchAsync(index, new SearchQuery(TextAnalyzer.TermsOfWords(words), []), text, k, kind, comparison, cancellationToken);
    }

    /// <summary>
    /// True when the embedding of <paramref name="questionText"/> has a cosine of at least
    /// <see cref="RetrievalOptions.InScopeSimilarity"/> with some chunk (false without vectors).
    /// </summary>
    public async Task<bool> IsNearCorpusAsync(IndexSnapshot index, string questionText, CancellationToken cancellationToken = default)
        => index.Vectors is not null && index.Chunks.Count > 0 && IsNearCorpus(index, await EmbedQueryAsync(questionText, cancellationToken));

    /// <summary>True when <paramref name="queryVector"/> has a cosine of at least <see cref="RetrievalOptions.InScopeSimilarity"/> with some chunk.</summary>
    public bool IsNearCorpus(IndexSnapshot index, ReadOnlyMemory<float> queryVector)
        => NearestSimilarity(index, queryVector) >= options.Value.InScopeSimilarity;

    /// <summary>
    /// The highest cosine of <paramref name="queryVector"/> with a chunk or passage of the index (0 without vectors). With
    /// an ensemble of models it is the first model's cosine, which <see cref="RetrievalOptions.InScopeSimilarity"/> is set against.
    /// </summary>
    public float NearestSimilarity(IndexSnapshot index, ReadOnlyMemory<float> queryVector)
    {
        if (index.Vectors is null || index.Chunks.Count == 0)
            return 0;
        if (Ensemble is { } ensemble)
            queryVector = ensemble.FirstModelQuery(queryVector);
        var best = Rescore(index, queryVector, index.Vectors.Search(queryVector.Span, options.Value.RescoreCandidates));
        return best.Count > 0 ? best[0].Score : 0;
    }

    /// <summary>The question's vector, embedded as a search query (asymmetric models add their query instruction).</summary>
    public async Task<ReadOnlyMemory<float>> EmbedQueryAsync(string questionText, CancellationToken cancellationToken = default)
        => (await embeddings.GenerateAsync([questionText], Embeddings.EmbeddingInput.ForQuery(), cancellationToken))[0].Vector;

    /// <summary>Several texts' vectors, each embedded as a search query, in order (one batch per model).</summary>
    public async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedQueriesAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        if (texts.Count == 0)
            return [];
        var generated = await embeddings.GenerateAsync(texts, Embeddings.EmbeddingInput.ForQuery(), cancellationToken);
        return [.. generated.Select(e => e.Vector)];
    }

    /// <summary>
    /// A text's vector for matching claims (<see cref="Answering.VerdictFinder"/>), embedded as a search query: with an
    /// <see cref="Embeddings.EnsembleEmbeddingGenerator"/>, by its first model alone, which is all claims are matched by.
    /// </summary>
    public async Task<ReadOnlyMemory<float>> EmbedSituationAsync(string text, CancellationToken cancellationToken = default)
        => (await FirstModel.GenerateAsync([text], Embeddings.EmbeddingInput.ForQuery(), cancellationToken))[0].Vector;

    /// <summary>The ensemble of models the question is embedded with, or null with one model.</summary>
    private Embeddings.EnsembleEmbeddingGenerator? Ensemble => embeddings.GetService<Embeddings.EnsembleEmbeddingGenerator>();

    /// <summary>The first (or only) model: the one claims and the in-scope threshold are measured by.</summary>
    private IEmbeddingGenerator<string, Embedding<float>> FirstModel => Ensemble?.First ?? embeddings;

    /// <summary>
    /// Vectors of passages of text, embedded as documents (no query instruction), in order. With
    /// <paramref name="firstModelOnly"/> and an <see cref="Embeddings.EnsembleEmbeddingGenerator"/>, only its first
    /// model embeds them: each vector is then as long as the first part of a question's vector, which is that model's.
    /// </summary>
    public async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedPassagesAsync(IReadOnlyList<string> texts, bool firstModelOnly = false,
        CancellationToken cancellationToken = default)
    {
        if (texts.Count == 0)
            return [];
        var generated = await (firstModelOnly ? FirstModel : embeddings).GenerateAsync(texts, cancellationToken: cancellationToken);
        return [.. generated.Select(e => e.Vector)];
    }

    /// <summary>
    /// <paramref name="query"/> with <paramref name="weight"/> of its component along the unit vector
    /// <paramref name="direction"/> taken out, scaled back to unit length: q − w·(q·d)·d. With w = 1 the result is
    /// orthogonal to <paramref name="direction"/>; an empty direction or w = 0 returns the query unchanged.
    /// </summary>
    public static ReadOnlyMemory<float> WithoutDirection(ReadOnlyMemory<float> query, ReadOnlyMemory<float> direction, float weight)
    {
        if (weight == 0 || direction.Length != query.Length || query.Length == 0)
            return query;
        var result = new float[query.Length];
        float along = TensorPrimitives.Dot(query.Span, direction.Span);
        TensorPrimitives.MultiplyAdd(direction.Span, -weight * along, query.Span, result);
        float norm = TensorPrimitives.Norm(result);
        if (norm > 0)
            TensorPrimitives.Divide(result, norm, result);
        return result;
    }

    /// <summary>Re-scores int8 candidates with the float32 query; best first, ties to the lower index.</summary>
    private static List<(int Document, float Score)> Rescore(IndexSnapshot index, ReadOnlyMemory<float> query, IReadOnlyList<(int Document, float Score)> candidates)
    {
        var rescored = new List<(int Document, float Score)>(candidates.Count);
        foreach (var (document, _) in candidates)
            rescored.Add((document, index.Vectors!.Rescore(query.Span, document)));
        rescored.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Document.CompareTo(b.Document));
        return rescored;
    }

    /// <summary>
    /// Fuses two rankings. Reciprocal rank fusion: score = Σ weight / (RrfK + rank). Weighted: each list's scores are
    /// min-max normalised over its candidates, then summed with the weights. Best first, ties to the lower index.
    /// </summary>
    internal static List<(int Document, float Score)> Fuse(IReadOnlyList<(int Document, float Score)> lexicalHits,
        IReadOnlyList<(int Document, float Score)> vectorHits, RetrievalOptions settings, float lexicalShare = 1)
    {
        var scores = new Dictionary<int, float>();
        void Add(IReadOnlyList<(int Document, float Score)> hits, float weight)
        {
            if (hits.Count == 0)
                return;
            // Min-max normalisation: a ranking whose scores are flat (weak keyword matches) moves the fused order less
            // than one with a clear winner.
            float best = hits[0].Score, worst = hits[^1].Score, range = best - worst;
            for (int rank = 0; rank < hits.Count; rank++)
            {
                float contribution = settings.Fusion == FusionMethod.Rrf
                    ? weight / (settings.RrfK + rank + 1)
                    : range > 0 ? weight * (hits[rank].Score - worst) / range : weight;
                scores[hits[rank].Document] = scores.GetValueOrDefault(hits[rank].Document) + contribution;
            }
        }
        Add(lexicalHits, (1 - settings.VectorWeight) * lexicalShare);
        Add(vectorHits, settings.VectorWeight);
        var fused = scores.Select(p => (Document: p.Key, Score: p.Value)).ToList();
        fused.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Document.CompareTo(b.Document));
        return fused;
    }

    /// <summary>
    /// Maximal marginal relevance: repeatedly takes the candidate maximising
    /// λ·relevance − (1 − λ)·max redundancy with those already taken, relevance being the fused score scaled to [0, 1]
    /// and redundancy the mean of the chunks' cosine and whether they come from the same article (so a second passage
    /// of an article already cited must be clearly better to beat another article's). The first pick is always the
    /// most relevant chunk.
    /// </summary>
    internal static List<(int Document, float Score)> Diversify(IndexSnapshot index, IReadOnlyList<(int Document, float Score)> ranked, int k, float lambda)
    {
        var result = new List<(int Document, float Score)>(k);
        if (ranked.Count == 0)
            return result;
        float best = ranked[0].Score > 0 ? ranked[0].Score : 1;
        var remaining = ranked.ToList();
        var vectors = index.Vectors!;
        while (result.Count < k && remaining.Count > 0)
        {
            int pick = 0;
            float pickValue = float.NegativeInfinity;
            for (int i = 0; i < remaining.Count; i++)
            {
                float redundancy = 0;
                foreach (var taken in result)
                {
                    float sameArticle = index.Chunks[remaining[i].Document].DocumentId == index.Chunks[taken.Document].DocumentId ? 1 : 0;
                    redundancy = Math.Max(redundancy, (vectors.Similarity(remaining[i].Document, taken.Document) + sameArticle) / 2);
                }
                float value = lambda * remaining[i].Score / best - (1 - lambda) * redundancy;
                if (value > pickValue)
                {
                    pickValue = value;
                    pick = i;
                }
            }
            result.Add(remaining[pick]);
            remaining.RemoveAt(pick);
        }
        return result;
    }
}
