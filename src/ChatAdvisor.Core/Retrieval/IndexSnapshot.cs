using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Core.Retrieval;

/// <summary>
/// Everything retrieval and answering read, built from one state of the corpus: the articles, their units and
/// chunks, the BM25 index and the spelling vocabulary.
/// </summary>
/// <remarks>Immutable; a rebuilt corpus produces a new snapshot that replaces this one atomically.</remarks>
public sealed class IndexSnapshot
{
    private readonly Dictionary<string, ChunkedArticle> _byId;
    private readonly Dictionary<string, Lazy<ArticleTerms>> _terms;

    /// <summary>Creates a snapshot.</summary>
    public IndexSnapshot(IReadOnlyList<ChunkedArticle> articles, LexicalIndex lexical, SpellingCorrector spelling,
        IReadOnlyList<CorpusFileStamp> stamps, string settingsKey)
    {
        Articles = articles;
        Chunks = [.. articles.SelectMany(a => a.Chunks)];
        Lexical = lexical;
        Spelling = spelling;
        Stamps = stamps;
        SettingsKey = settingsKey;
        _byId = articles.ToDictionary(a => a.Article.Id, StringComparer.Ordinal);
        _terms = articles.ToDictionary(a => a.Article.Id, a => new Lazy<ArticleTerms>(() => ArticleTerms.Of(a)), StringComparer.Ordinal);
        if (Chunks.Select((c, i) => c.Index != i).Any(b => b))
            throw new ArgumentException("Chunk indexes must be dense and in order.", nameof(articles));
    }

    /// <summary>The articles, in corpus order.</summary>
    public IReadOnlyList<ChunkedArticle> Articles { get; }

    /// <summary>Every chunk; <c>Chunks[i].Index == i</c>.</summary>
    public IReadOnlyList<Chunk> Chunks { get; }

    /// <summary>The BM25 index over <see cref="Chunks"/>.</summary>
    public LexicalIndex Lexical { get; }

    /// <summary>The chunk embeddings (vector i is chunk i), or null when the index was built without an embedding.</summary>
    public VectorIndex? Vectors { get; init; }

    /// <summary>The corpus vocabulary for spelling correction.</summary>
    public SpellingCorrector Spelling { get; }

    /// <summary>The corpus files (path and hash) the snapshot was built from.</summary>
    public IReadOnlyList<CorpusFileStamp> Stamps { get; }

    /// <summary>Identifies the settings (chunking, analyzer version) the snapshot was built with.</summary>
    public string SettingsKey { get; }

    /// <summary>When the snapshot was built or loaded, and how long building took (zero when loaded from cache).</summary>
    public (DateTimeOffset At, TimeSpan Duration, bool FromCache) Built { get; init; }

    /// <summary>Files that could not be indexed and why.</summary>
    public IReadOnlyList<IngestionResult> Skipped { get; init; } = [];

    /// <summary>The article with id <paramref name="id"/>.</summary>
    public ChunkedArticle Article(string id) => _byId[id];

    /// <summary>The search terms of each unit and section heading of an article, computed once.</summary>
    public ArticleTerms TermsOf(string documentId) => _terms[documentId].Value;

    /// <summary>The units that lie inside <paramref name="chunk"/>, in order.</summary>
    public IEnumerable<TextUnit> UnitsOf(Chunk chunk)
    {
        var (first, count) = UnitRange(chunk);
        var units = _byId[chunk.DocumentId].Units;
        for (int i = first; i < first + count; i++)
            yield return units[i];
    }

    /// <summary>
    /// The cosine of <paramref name="query"/> with the embedding of each unit inside <paramref name="chunk"/> (as it was
    /// embedded there, with its section heading), in the order of <see cref="UnitRange"/>; null for a unit without a row of
    /// its own (code, table headers), and for every unit without vectors.
    /// </summary>
    /// <remarks>The rows of a chunk are its whole text, then each unit inside it except code and table headers, in order (see <see cref="IndexBuilder.EmbeddingTexts"/>).</remarks>
    public float?[] UnitSimilarities(Chunk chunk, ReadOnlySpan<float> query)
    {
        var (first, count) = UnitRange(chunk);
        var similarities = new float?[count];
        if (Vectors is null || query.Length != Vectors.Dimensions)
            return similarities;
        var units = _byId[chunk.DocumentId].Units;
        int rows = Vectors.RowsOf(chunk.Index);
        int row = 1;
        for (int i = 0; i < count && row < rows; i++)
        {
            if (HasRow(units[first + i]))
                similarities[i] = Vectors.RowSimilarity(query, chunk.Index, row++);
        }
        return similarities;
    }

    private static bool HasRow(TextUnit unit) => unit.Kind is not (UnitKind.Code or UnitKind.TableHeader);

    /// <summary>The index of the first unit inside <paramref name="chunk"/> in its article's units, and how many there are.</summary>
    public (int First, int Count) UnitRange(Chunk chunk)
    {
        var units = _byId[chunk.DocumentId].Units;
        int lo = 0, hi = units.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (units[mid].Start < chunk.Start)
                lo = mid + 1;
            else
                hi = mid;
        }
        int end = lo;
        while (end < units.Count && units[end].End <= chunk.End)
            end++;
        return (lo, end - lo);
    }
}

/// <summary>The search terms of an article's units and section headings, for scoring sentences.</summary>
public sealed class ArticleTerms
{
    private ArticleTerms(HashSet<string>[] units, HashSet<string>[] headings)
    {
        Units = units;
        Headings = headings;
    }

    /// <summary>Terms of each unit, by unit index.</summary>
    public IReadOnlyList<HashSet<string>> Units { get; }

    /// <summary>Terms of each section heading, by section index.</summary>
    public IReadOnlyList<HashSet<string>> Headings { get; }

    internal static ArticleTerms Of(ChunkedArticle article)
    {
        var text = article.Article.Text;
        var units = article.Units.Select(u => TextAnalyzer.Terms(text.AsSpan(u.Start, u.End - u.Start)).ToHashSet(StringComparer.Ordinal)).ToArray();
        var headings = article.Article.Sections.Select(s => TextAnalyzer.Terms((s.Heading ?? "").AsSpan()).ToHashSet(StringComparer.Ordinal)).ToArray();
        return new ArticleTerms(units, headings);
    }
}
