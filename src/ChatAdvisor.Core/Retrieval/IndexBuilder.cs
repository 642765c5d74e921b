using System.Diagnostics;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Core.Retrieval;

/// <summary>Builds an <see cref="IndexSnapshot"/> from the corpus folder.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class IndexBuilder(ChunkingOptions chunking, ITokenCounter tokenCounter)
{
    /// <summary>Bumped whenever analysis or the index format changes, so old caches are rebuilt.</summary>
    public const int FormatVersion = 3;

    /// <summary>Identifies the settings an index depends on.</summary>
    public string SettingsKey => $"v{FormatVersion};chunk={chunking.MaxTokens}/{chunking.OverlapTokens};tokens={tokenCounter.GetType().Name}";

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
                var header = units.LastOrDefault(u => u.Kind == UnitKind.TableHeader && u.Block == first.Block);
                if (header != default)
                    headers[chunk.Index] = article.Text[header.Start..header.End];
            }
        }
        return headers;
    }

    /// <summary>Reads, chunks and indexes every file of <paramref name="corpusPath"/>.</summary>
    public IndexSnapshot Build(string corpusPath, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var results = CorpusLoader.LoadAll(corpusPath, progress, cancellationToken);
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
        return new IndexSnapshot(articles, LexicalIndex.Build(documents), new SpellingCorrector(vocabulary), stamps, SettingsKey)
        {
            Built = (DateTimeOffset.UtcNow, stopwatch.Elapsed, false),
            Skipped = [.. results.Where(r => !r.Succeeded)],
        };
    }
}
