using System.Text;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Answering.Llm;

/// <summary>A retrieved passage as the prompt numbers it.</summary>
/// <param name="Number">The [n] the model cites it by, from 1.</param>
/// <param name="Chunk">The passage; its text is what a citation of it quotes.</param>
public sealed record PackedSource(int Number, Chunk Chunk);

/// <summary>Chooses which retrieved passages go into a prompt and writes them as numbered sources.</summary>
public static class SourcePacker
{
    /// <summary>
    /// Takes hits in rank order, skipping repeats of a chunk, while their tokens fit <paramref name="maxTokens"/> and
    /// at most <paramref name="maxSources"/> of them. The best hit is always taken, even when it alone is over budget,
    /// so that a question with any hit has a source to cite.
    /// </summary>
    public static IReadOnlyList<PackedSource> Pack(IReadOnlyList<SearchHit> hits, int maxTokens, int maxSources)
    {
        var packed = new List<PackedSource>();
        var seen = new HashSet<(string, int)>();
        var tokens = 0;
        foreach (var hit in hits)
        {
            if (packed.Count == maxSources)
                break;
            var chunk = hit.Chunk;
            if (!seen.Add((chunk.DocumentId, chunk.Start)))
                continue;
            if (packed.Count > 0 && tokens + chunk.TokenCount > maxTokens)
                continue; // a shorter passage further down may still fit
            tokens += chunk.TokenCount;
            packed.Add(new PackedSource(packed.Count + 1, chunk));
        }
        return packed;
    }

    /// <summary>The sources as the prompt shows them: <c>[n] Title — Section</c>, then the passage.</summary>
    public static string Format(IReadOnlyList<PackedSource> sources)
    {
        var text = new StringBuilder();
        foreach (var source in sources)
        {
            if (text.Length > 0)
                text.Append("\n\n");
            text.Append('[').Append(source.Number).Append("] ").Append(source.Chunk.Title);
            if (!string.IsNullOrWhiteSpace(source.Chunk.Section))
                text.Append(" — ").Append(source.Chunk.Section);
            text.Append('\n').Append(source.Chunk.Text.Trim());
        }
        return text.ToString();
    }
}
