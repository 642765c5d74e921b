using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Core.Chunking;

/// <summary>An article with its units and chunks.</summary>
public sealed record ChunkedArticle(Article Article, IReadOnlyList<TextUnit> Units, IReadOnlyList<Chunk> Chunks);

/// <summary>
/// Cuts articles into token-bounded chunks that never cross a heading, prefer paragraph and list boundaries,
/// split long paragraphs between sentences, cut tables every few rows, and repeat the previous chunk's last
/// sentences (up to <see cref="ChunkingOptions.OverlapTokens"/>) for context.
/// </summary>
/// <remarks>Thread-safe when its token counter is.</remarks>
public sealed class Chunker(ChunkingOptions options, ITokenCounter tokenCounter)
{
    /// <summary>The most table rows a chunk holds.</summary>
    public const int TableRowsPerChunk = 3;

    /// <summary>Chunks <paramref name="article"/>; chunk indexes start at <paramref name="firstIndex"/>.</summary>
    public ChunkedArticle Chunk(Article article, int firstIndex = 0)
    {
        var units = TextSegmenter.Segment(article.Text, article.Sections);
        var tokens = units.Select(u => tokenCounter.CountTokens(article.Text.AsSpan(u.Start, u.End - u.Start))).ToArray();
        var chunks = new List<Chunk>();

        int i = 0;
        while (i < units.Count)
        {
            int section = units[i].Section;
            int first = i, budget = 0;
            // Take whole blocks while they fit; a block too big on its own is split between sentences (tables never).
            while (i < units.Count && units[i].Section == section)
            {
                int blockEnd = i;
                int blockTokens = 0;
                while (blockEnd < units.Count && units[blockEnd].Block == units[i].Block && units[blockEnd].Section == section)
                    blockTokens += tokens[blockEnd++];

                if (IsTable(units[i]))
                {
                    // Tables are cut every few rows, so a question about one row finds a short chunk; the header row
                    // travels with the first piece and is added to the search terms of the others.
                    if (i != first)
                        break;
                    int rows = 0;
                    while (i < blockEnd && rows < TableRowsPerChunk)
                    {
                        if (units[i].Kind == UnitKind.TableRow)
                            rows++;
                        budget += tokens[i++];
                    }
                    break;
                }
                if (budget + blockTokens <= options.MaxTokens)
                {
                    budget += blockTokens;
                    i = blockEnd;
                    continue;
                }
                if (i == first || budget + tokens[i] <= options.MaxTokens && !IsTable(units[i]))
                {
                    // Fill the rest of the chunk sentence by sentence (at least one sentence per chunk).
                    while (i < blockEnd && (i == first || budget + tokens[i] <= options.MaxTokens))
                        budget += tokens[i++];
                }
                break;
            }

            var start = units[first].Start;
            var end = units[i - 1].End;
            chunks.Add(new Chunk(firstIndex + chunks.Count, article.Id, article.Title, article.Sections[section].Heading,
                start, end, article.Text[start..end], budget));

            if (i < units.Count && units[i].Section == section && !IsTable(units[i]))
            {
                // Overlap: step back over the last sentences of this chunk, within the overlap budget.
                int back = i, overlap = 0;
                while (back - 1 > first && !IsTable(units[back - 1]) && overlap + tokens[back - 1] <= options.OverlapTokens)
                    overlap += tokens[--back];
                i = back;
            }
        }
        return new ChunkedArticle(article, units, chunks);
    }

    private static bool IsTable(TextUnit unit) => unit.Kind is UnitKind.TableHeader or UnitKind.TableRow;
}
