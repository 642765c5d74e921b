using System.Diagnostics;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Ingestion;
using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Retrieval;

/// <summary>Builds an <see cref="IndexSnapshot"/> from the corpus folder.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class IndexBuilder(ChunkingOptions chunking, ITokenCounter tokenCounter, IEmbeddingGenerator<string, Embedding<float>>? embeddings = null)
{
    /// <summary>Bumped whenever analysis or the index format changes, so old caches are rebuilt.</summary>
    public const int FormatVersion = 6;

    /// <summary>Identifies the settings an index depends on, the embedding model included (a new model rebuilds the index).</summary>
    public string SettingsKey => $"v{FormatVersion};chunk={chunking.MaxTokens}/{chunking.OverlapTokens};tokens={tokenCounter.GetType().Name};embedding={EmbeddingModelId ?? "none"}" + (MaxFileBytes == long.MaxValue ? "" : $";maxfile={MaxFileBytes}");

    /// <summary>Corpus files larger than this are skipped (Corpus:MaxFileBytes); part of <see cref="SettingsKey"/> so a change rebuilds the index.</summary>
    public long MaxFileBytes { get; init; } = long.MaxValue;

    /// <summary>The everyday words the token counter's vocabulary holds, which spelling correction leaves as typed (null: none known).</summary>
    public IReadOnlySet<string>? LanguageWords => tokenCounter.Words;

    private string? EmbeddingModelId => embeddings?.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId;

    /// <summary>Texts embedded per model call while indexing, so progress can be reported between slices.</summary>
    private const int EmbeddingSlice = 256;

    /// <summary>
    /// Embeds every chunk of <paramref name="snapshot"/>, whole and passage by passage, and returns the snapshot with its
    /// vector index (unchanged without an embedding generator). <paramref name="progress"/> hears (texts embedded, texts in
    /// all) after each slice.
    /// </summary>
    public async Task<IndexSnapshot> AddVectorsAsync(IndexSnapshot snapshot, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (embeddings is null)
            return snapshot;
        var stopwatch = Stopwatch.StartNew();
        var (texts, rowsPerChunk) = EmbeddingTexts(snapshot);
        var generated = new List<ReadOnlyMemory<float>>(texts.Count);
        for (int start = 0; start < texts.Count; start += EmbeddingSlice)
        {
            var slice = texts.GetRange(start, Math.Min(EmbeddingSlice, texts.Count - start));
            generated.AddRange((await embeddings.GenerateAsync(slice, cancellationToken: cancellationToken)).Select(e => e.Vector));
            progress?.Report((generated.Count, texts.Count));
        }
        int dimensions = generated.Count > 0 ? generated[0].Length : embeddings.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions ?? 0;
        var vectors = VectorIndex.Build(EmbeddingModelId ?? "unknown", dimensions,
            [.. rowsPerChunk.Select(rows => (IReadOnlyList<ReadOnlyMemory<float>>)[.. rows.Select(t => generated[t])])]);
        return new IndexSnapshot(snapshot.Articles, snapshot.Lexical, snapshot.Spelling, snapshot.Stamps, snapshot.SettingsKey)
        {
            Vectors = vectors,
            Built = (snapshot.Built.At, snapshot.Built.Duration + stopwatch.Elapsed, snapshot.Built.FromCache),
            Skipped = snapshot.Skipped,
        };
    }

    /// <summary>
    /// The texts to embed, each once, and for every chunk the texts that are its rows: the whole chunk first
    /// (<see cref="HybridRetriever.EmbeddingText"/>), then each sentence, list item and table row inside it, prefixed with
    /// its section heading. A table row is written with the column names of its header ("Templating — A: Templates;
    /// B: Jinja2"), so a question about one cell finds its row. Passages in the overlap of two chunks are
    /// embedded once and belong to both.
    /// </summary>
    public static (List<string> Texts, List<List<int>> RowsPerChunk) EmbeddingTexts(IndexSnapshot snapshot)
    {
        var texts = new List<string>();
        var rowsPerChunk = new List<List<int>>(snapshot.Chunks.Count);
        foreach (var (article, units, chunks) in snapshot.Articles)
        {
            var passageText = new Dictionary<int, int>();
            foreach (var chunk in chunks)
            {
                var rows = new List<int> { texts.Count };
                texts.Add(HybridRetriever.EmbeddingText(chunk));
                for (int u = 0; u < units.Count; u++)
                {
                    var unit = units[u];
                    if (unit.Start < chunk.Start || unit.End > chunk.End || unit.Kind is UnitKind.Code or UnitKind.TableHeader)
                        continue;
                    if (!passageText.TryGetValue(u, out var row))
                    {
                        var text = article.Text[unit.Start..unit.End];
                        if (unit.Kind == UnitKind.TableRow && HeaderOf(units, unit) is { } header)
                            text = LabelledRow(article.Text[header.Start..header.End], text);
                        row = passageText[u] = texts.Count;
                        texts.Add(string.IsNullOrEmpty(chunk.Section) ? text : chunk.Section + ": " + text);
                    }
                    rows.Add(row);
                }
                rowsPerChunk.Add(rows);
            }
        }
        return (texts, rowsPerChunk);
    }

    // "| Templating | Own templates | Jinja2 |" under "| Feature | A | B |" → "Templating — A: Own templates; B: Jinja2".
    private static string LabelledRow(string header, string row)
    {
        static string[] Cells(string line) => [.. line.Trim().Trim('|').Split('|').Select(c => c.Trim())];
        var names = Cells(header);
        var values = Cells(row);
        if (names.Length != values.Length || values.Length < 2)
            return row;
        return values[0] + " — " + string.Join("; ", Enumerable.Range(1, values.Length - 1).Select(i => names[i] + ": " + values[i]));
    }

    // The header row of the table a row belongs to, if the table has one.
    private static TextUnit? HeaderOf(IReadOnlyList<TextUnit> units, TextUnit row)
    {
        var header = units.LastOrDefault(u => u.Kind == UnitKind.TableHeader && u.Block == row.Block);
        return header == default ? null : header;
    }

    // Chunk index → the header row of the table the chunk starts in, for chunks that start after that header.
    private static Dictionary<int, string> TableHeaders(List<ChunkedArticle> articles)
    {
        var headers = new Dictionary<int, string>();
        foreach (var (article, units, chunks) in articles)
        {
            foreach (var chunk in chunks)
            {
                var first = units.FirstOrDefault(u => u.Start >= chunk.Start);
                if (first.Kind != UnitKind.TableRow)
                    continue;
                if (HeaderOf(units, first) is { } header)
                    headers[chunk.Index] = article.Text[header.Start..header.End];
            }
        }
        return headers;
    }

    /// <summary>Reads, chunks and indexes every file of <paramref name="corpusPath"/>; files over <see cref="MaxFileBytes"/> are skipped.</summary>
    public IndexSnapshot Build(string corpusPath, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var results = CorpusLoader.LoadAll(corpusPath, progress, cancellationToken, MaxFileBytes);
        var chunker = new Chunker(chunking, tokenCounter);
        var articles = new List<ChunkedArticle>();
        int next = 0;
        foreach (var result in results.Where(r => r.Succeeded))
        {
            var chunked = chunker.Chunk(result.Article!, next);
            next += chunked.Chunks.Count;
            articles.Add(chunked);
        }

        var chunks = articles.SelectMany(a => a.Chunks).ToList();
        var documents = new List<IReadOnlyList<string>>(chunks.Count);
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var tableHeaders = TableHeaders(articles);
        foreach (var chunk in chunks)
        {
            // The section heading counts twice: it says what the whole section is about. A piece of a table
            // also carries its header row, which names the columns.
            var header = tableHeaders.GetValueOrDefault(chunk.Index);
            var words = TextAnalyzer.Words((chunk.Section + "\n" + chunk.Section + "\n" + header + "\n" + chunk.Text).AsSpan());
            documents.Add(TextAnalyzer.TermsOfWords(words));
            foreach (var word in words.Distinct(StringComparer.Ordinal))
                vocabulary[word] = vocabulary.GetValueOrDefault(word) + 1;
        }
        var stamps = results.Select(r => new CorpusFileStamp(r.File, r.Sha256)).ToList();
        return new IndexSnapshot(articles, LexicalIndex.Build(documents), new SpellingCorrector(vocabulary, LanguageWords), stamps, SettingsKey)
        {
            Built = (DateTimeOffset.UtcNow, stopwatch.Elapsed, false),
            Skipped = [.. results.Where(r => !r.Succeeded)],
        };
    }
}
