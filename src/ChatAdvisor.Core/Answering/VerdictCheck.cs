using System.Text.RegularExpressions;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Core.Topics;

namespace ChatAdvisor.Core.Answering;

/// <summary>
/// The last check before an answer with a verdict is sent: the passage cited for the verdict must be about the entity
/// the verdict names — it names that entity, or it sits under a heading (or in a table column) that names it and no
/// other. An answer whose verdict its own quote contradicts ("… point to **X** [1]" where [1] is about Y only) fails.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class VerdictCheck
{
    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex Marker();

    /// <summary>True when the first citation of the sentence that names <paramref name="verdict"/> supports it.</summary>
    public static bool IsSupported(ComposedAnswer answer, string verdict, IndexSnapshot index, TopicProfile topic)
    {
        var name = topic.Name(verdict);
        var sentence = answer.Text.Split('\n').FirstOrDefault(l => l.Contains($"**{name}**", StringComparison.Ordinal));
        if (sentence is null || Marker().Match(sentence) is not { Success: true } m)
            return false;
        int id = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var citation = answer.Citations.FirstOrDefault(c => c.Id == id);
        return citation is not null && Supports(citation, verdict, index, topic);
    }

    /// <summary>
    /// True when <paramref name="citation"/> is about <paramref name="entity"/>: the first entity it names is that one (or,
    /// when it opens with "it", the first entity of the sentence before it); it names none and sits under a heading, or
    /// after an introducing sentence, that names that entity alone; or it is a table row with a column for that entity.
    /// A passage that merely mentions the entity ("… outperforms X") is not about it.
    /// </summary>
    public static bool Supports(Citation citation, string entity, IndexSnapshot index, TopicProfile topic)
    {
        var quote = citation.Quote.TrimStart();
        var article = index.Article(citation.DocumentId);
        if (quote.StartsWith('|'))
        {
            // A table row speaks for every entity that has a column in its header.
            var header = article.Units.LastOrDefault(u => u.Kind == Chunking.UnitKind.TableHeader && u.Start < citation.Start);
            return header != default && topic.MentionedIn(article.Article.Text.AsSpan(header.Start, header.End - header.Start)).Contains(entity);
        }
        var named = topic.MentionedIn(quote);
        if (Pronoun().IsMatch(quote) && PreviousSentence(citation, index) is { } previous && topic.MentionedIn(previous) is [var subject, ..])
            return subject == entity;
        if (named.Count > 0)
            return named[0] == entity || Favouring(quote, entity, topic) || EvidenceExtractor.ClauseSubjects(topic, quote).Contains(entity);
        return topic.MentionedIn(citation.Section ?? article.Article.Title) is [var only] && only == entity
            || IntroducedBy(citation, entity, index, topic);
    }

    private static bool Favouring(string quote, string entity, TopicProfile topic)
        => FavouringPattern().Matches(quote).Any(m => topic.MentionedIn(m.Groups[1].Value) is [var f] && f == entity)
            || OrJoined().Matches(quote).Any(m => topic.MentionedIn(m.Value).Contains(entity));

    private static string? PreviousSentence(Citation citation, IndexSnapshot index)
    {
        var article = index.Article(citation.DocumentId);
        var units = article.Units;
        int i = 0;
        while (i < units.Count && units[i].Start < citation.Start)
            i++;
        return i > 0 && i < units.Count && units[i - 1].Block == units[i].Block ? article.Article.Text[units[i - 1].Start..units[i - 1].End] : null;
    }

    // "It …", or "In many benchmarks, it …": the sentence's subject is the one the sentence before named.
    [GeneratedRegex(@"^([^,.;]{0,40},\s*)?(it|its|it's|it’s)\b(?!\s+is\s+(important|worth|possible))", RegexOptions.IgnoreCase)]
    private static partial Regex Pronoun();

    [GeneratedRegex(@"\(favou?ring\s+([^)]+)\)", RegexOptions.IgnoreCase)]
    private static partial Regex FavouringPattern();

    // "X or Y would be more appropriate", "X and Y both …": entities joined at the head of a clause share it.
    [GeneratedRegex(@"(?<=^|[,;:]\s)[\w.\-]+(\s+(or|and)\s+[\w.\-]+)+", RegexOptions.IgnoreCase)]
    private static partial Regex OrJoined();

    /// <summary>
    /// True when <paramref name="citation"/> is about other entities and not <paramref name="entity"/>: it names others
    /// and not this one, or sits under a heading that names only another. A passage that names no entity contradicts nothing.
    /// </summary>
    public static bool Contradicts(Citation citation, string entity, IndexSnapshot index, TopicProfile topic)
    {
        if (Supports(citation, entity, index, topic))
            return false;
        return topic.MentionedIn(citation.Quote).Count > 0
            || (citation.Section is { } heading && topic.MentionedIn(heading) is [var only] && only != entity);
    }

    // A list item under a sentence that introduces it ("X is an excellent choice for:").
    private static bool IntroducedBy(Citation citation, string entity, IndexSnapshot index, TopicProfile topic)
    {
        var article = index.Article(citation.DocumentId);
        var units = article.Units;
        int i = 0;
        while (i < units.Count && units[i].Start < citation.Start)
            i++;
        if (i >= units.Count || units[i].Kind != Chunking.UnitKind.ListItem)
            return false;
        int first = i;
        while (first > 0 && units[first - 1].Kind == Chunking.UnitKind.ListItem && units[first - 1].Block == units[i].Block)
            first--;
        if (first == 0 || units[first - 1].Kind != Chunking.UnitKind.Sentence)
            return false;
        var intro = article.Article.Text[units[first - 1].Start..units[first - 1].End];
        return intro.TrimEnd().EndsWith(':') && topic.MentionedIn(intro) is [var only] && only == entity;
    }
}
