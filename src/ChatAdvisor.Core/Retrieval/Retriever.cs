using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Topics;

namespace ChatAdvisor.Core.Retrieval;

/// <summary>A search request: the question's terms and the expansions its analysis adds, with their weights.</summary>
/// <param name="Terms">Terms from the question itself (weight 1).</param>
/// <param name="Expansion">Terms added from aspects, frameworks and follow-up context (lower weight).</param>
public sealed record SearchQuery(IReadOnlyList<string> Terms, IReadOnlyList<string> Expansion)
{
    /// <summary>The weight of expansion terms relative to the question's own terms.</summary>
    public const float ExpansionWeight = 0.5f;

    /// <summary>Builds the query for an analysed (and, for follow-ups, resolved) question.</summary>
    public static SearchQuery For(QuestionAnalysis analysis, TopicProfile topic)
    {
        var expansion = new List<string>();
        foreach (var aspect in analysis.Aspects)
            expansion.AddRange(aspect.Expansion);
        foreach (var entity in analysis.Entities)
            expansion.Add(topic.EntityTerms[entity]);
        if (analysis.Kind == QuestionKind.ProsCons)
        {
            if (analysis.WantsPros)
                expansion.AddRange(["pro", "advantag", "strength"]);
            if (analysis.WantsCons)
                expansion.AddRange(["con", "disadvantag", "limit"]);
        }
        if (analysis.Kind == QuestionKind.Recommendation)
            expansion.AddRange(["choos", "choic", "ideal"]);
        if (analysis.Kind == QuestionKind.Recommendation && analysis.Aspects.Count == 0 && analysis.Entities.Count == 0)
            expansion.AddRange(["singl", "perfect", "univers", "best", "depend"]);
        if (analysis.Kind == QuestionKind.Comparison)
            expansion.AddRange(analysis.Aspects.Count == 0 ? ["featur", "choos", "best", "ideal", "winner", "univers"] : ["featur"]);
        return new SearchQuery(analysis.Terms, [.. expansion.Distinct().Where(t => !analysis.Terms.Contains(t))]);
    }

    /// <summary>All terms with their weights.</summary>
    public IReadOnlyDictionary<string, float> Weights()
    {
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var t in Expansion)
            weights[t] = ExpansionWeight;
        foreach (var t in Terms)
            weights[t] = 1f;
        return weights;
    }
}

/// <summary>Finds the chunks that best match a query.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class Retriever
{
    /// <summary>The best <paramref name="k"/> chunks of <paramref name="index"/> for <paramref name="query"/>, best first.</summary>
    public IReadOnlyList<SearchHit> Search(IndexSnapshot index, SearchQuery query, int k)
    {
        var weights = query.Weights();
        var hits = index.Lexical.Search([.. weights.Keys], k, weights);
        return [.. hits.Select(h => new SearchHit(index.Chunks[h.Document], h.Score))];
    }

    /// <summary>Searches with the plain terms of <paramref name="text"/> (spelling-corrected), for evaluation and tools.</summary>
    public IReadOnlyList<SearchHit> Search(IndexSnapshot index, string text, int k)
    {
        var words = TextAnalyzer.Words(text.AsSpan()).Select(index.Spelling.Correct).ToList();
        return Search(index, new SearchQuery(TextAnalyzer.TermsOfWords(words), []), k);
    }
}
