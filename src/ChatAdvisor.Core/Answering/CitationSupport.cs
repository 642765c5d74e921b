using System.Text.RegularExpressions;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Core.Topics;

namespace ChatAdvisor.Core.Answering;

/// <summary>
/// Whether each citation supports the sentence it is attached to. A quote is verbatim by construction; what can still go
/// wrong is the claim the answer makes around it: a marker that follows an entity the answer names in bold ("the articles
/// point to **X** [1]", "favour **X**", "rate **X** lowest") must cite a passage about that entity, and a comparison-table
/// row cited for it must rate it in the direction the sentence says (highest for a favourite, lowest for "lowest").
/// Lines that are quotes themselves (the answer's points) support themselves.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class CitationSupport
{
    [GeneratedRegex(@"\*\*(?<name>[^*]+)\*\*|\[(?<id>\d+)\]")]
    private static partial Regex NameOrMarker();

    [GeneratedRegex(@"\blowest\b", RegexOptions.IgnoreCase)]
    private static partial Regex Lowest();

    /// <summary>The ids of the citations that do not support the sentence they are attached to, each with the reason.</summary>
    public static IReadOnlyList<(int Id, string Reason)> Unsupported(string answer, IReadOnlyList<Citation> citations, IndexSnapshot index, TopicProfile topic)
    {
        var result = new List<(int, string)>();
        foreach (var line in answer.Split('\n'))
        {
            string? entity = null;
            bool lowest = Lowest().IsMatch(line);
            foreach (Match m in NameOrMarker().Matches(line))
            {
                if (m.Groups["name"].Success)
                {
                    entity = topic.MentionedIn(m.Groups["name"].Value) is [var named] ? named : null;
                    continue;
                }
                if (entity is null)
                    continue;
                int id = int.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture);
                if (citations.FirstOrDefault(c => c.Id == id) is not { } citation)
                    continue;
                if (!VerdictCheck.Supports(citation, entity, index, topic))
                    result.Add((id, $"[{id}] is not about {topic.Name(entity)}"));
                else if (RatesAgainst(citation, entity, lowest, index, topic))
                    result.Add((id, $"[{id}] rates {topic.Name(entity)} {(lowest ? "above another" : "below another")}"));
            }
        }
        return result;
    }

    /// <summary>True when a cited table row rates <paramref name="entity"/> against the direction its sentence claims.</summary>
    private static bool RatesAgainst(Citation citation, string entity, bool lowest, IndexSnapshot index, TopicProfile topic)
    {
        var quote = citation.Quote.Trim();
        if (!quote.StartsWith('|'))
            return false;
        var article = index.Article(citation.DocumentId);
        var header = article.Units.LastOrDefault(u => u.Kind == Chunking.UnitKind.TableHeader && u.Start < citation.Start);
        if (header == default)
            return false;
        var names = Cells(article.Article.Text[header.Start..header.End]);
        var cells = Cells(quote);
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 1; i < cells.Count && i < names.Count; i++)
        {
            if (topic.MentionedIn(names[i]) is [var e])
                levels[e] = EvidenceExtractor.Level(cells[i]);
        }
        if (!levels.TryGetValue(entity, out int level) || levels.Count < 2)
            return false;
        return lowest ? level > levels.Values.Min() : level < levels.Values.Max();
    }

    private static List<string> Cells(string row) => [.. row.Trim().Trim('|').Split('|').Select(s => s.Trim())];
}
