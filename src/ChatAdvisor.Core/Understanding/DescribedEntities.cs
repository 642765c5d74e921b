using System.Text.RegularExpressions;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Core.Topics;

namespace ChatAdvisor.Core.Understanding;

/// <summary>
/// Names an entity that a question describes by what the articles say of it instead of naming it ("that framework built
/// on starlette + pydantic, does it come with an ORM?", "the one born at a newspaper - can it do async?", "is the
/// sinatra-inspired one wsgi or asgi?"): the description is matched by meaning against every sentence, list item and
/// table row of the articles, and the entity the closest one is about replaces it, so the rest of the question is
/// answered about that entity. The profile's own descriptions ("the micro one") are read by
/// <see cref="TopicProfile.NameDescribed"/> before this.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public static partial class DescribedEntities
{
    /// <summary>A passage must be at least this close to the description (the ensemble's similarity) to name the entity.</summary>
    public const float MinSimilarity = 0.5f;

    // "that framework built on …, does it …", "the framework that was born at … - can it …": a description followed by a
    // break, then the question about it.
    [GeneratedRegex(@"^\W*(?<d>(the|that|this)\s+(\w+\s+)?(framework|one|library|tool|option)\s+[^,?:;–—]{3,120}?)\s*(,|\s[-–—]\s|:|;)\s*(?<q>.*\b(it|its|it's|they|them|their)\b.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingDescription();

    // "is the sinatra-inspired one …", "does the newspaper-born framework …": a description inside the question.
    [GeneratedRegex(@"\b(the|that|this)\s+(?<d>[\p{L}\p{N}+][\p{L}\p{N}+'’\-]*(\s+[\p{L}\p{N}+][\p{L}\p{N}+'’\-]*){0,3}?)\s+(one|framework)\b", RegexOptions.IgnoreCase)]
    private static partial Regex InlineDescription();

    // Words that make "the … one" a reference or a question about a degree, not a description: "the other one", "the fastest one".
    [GeneratedRegex(@"^(other|same|first|second|third|last|next|previous|right|best|worst|better|worse|only|new|old|\w+est|most\b.*|least\b.*|one|two|three)$", RegexOptions.IgnoreCase)]
    private static partial Regex NoDescription();

    /// <summary>
    /// <paramref name="question"/> with the description of an entity replaced by the entity's name, or the question as it is
    /// when it names an entity, describes none, or no passage of the articles is close enough to the description.
    /// </summary>
    public static async Task<string> NameAsync(string question, TopicProfile topic, IndexSnapshot index, HybridRetriever retriever,
        CancellationToken cancellationToken = default)
    {
        if (index.Vectors is null || topic.MentionedIn(question).Count > 0)
            return question;
        int start, length;
        string description;
        if (LeadingDescription().Match(question) is { Success: true } leading)
        {
            (start, length, description) = (leading.Groups["d"].Index, leading.Groups["d"].Length, leading.Groups["d"].Value);
        }
        else if (InlineDescription().Match(question) is { Success: true } inline && !NoDescription().IsMatch(inline.Groups["d"].Value.Trim())
            && question[(inline.Index + inline.Length)..].Trim().Trim('?', '.', '!').Length > 0)
        {
            (start, length, description) = (inline.Index, inline.Length, inline.Groups["d"].Value);
        }
        else
        {
            return question;
        }
        var entity = await EntityOfAsync(description, topic, index, retriever, cancellationToken);
        return entity is null ? question : question[..start] + topic.Name(entity) + question[(start + length)..];
    }

    /// <summary>The entity that the passage closest to <paramref name="description"/> is about, or null.</summary>
    private static async Task<string?> EntityOfAsync(string description, TopicProfile topic, IndexSnapshot index, HybridRetriever retriever,
        CancellationToken cancellationToken)
    {
        var vector = await retriever.EmbedQueryAsync(description, cancellationToken);
        (float Similarity, Chunking.Chunk Chunk, int Unit) best = (float.MinValue, null!, -1);
        foreach (var chunk in index.Chunks)
        {
            var similarities = index.UnitSimilarities(chunk, vector.Span);
            for (int i = 0; i < similarities.Length; i++)
            {
                if (similarities[i] is { } s && s > best.Similarity)
                    best = (s, chunk, i);
            }
        }
        if (best.Unit < 0 || best.Similarity < MinSimilarity)
            return null;
        var article = index.Article(best.Chunk.DocumentId);
        var (first, _) = index.UnitRange(best.Chunk);
        var unit = article.Units[first + best.Unit];
        var text = article.Article.Text[unit.Start..unit.End];
        if (topic.MentionedIn(text) is [var named, ..])
            return named;
        var heading = article.Article.Sections[unit.Section].Heading ?? article.Article.Title;
        return topic.MentionedIn(heading) is [var only] ? only : null;
    }
}
