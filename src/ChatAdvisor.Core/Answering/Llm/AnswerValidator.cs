using System.Text.RegularExpressions;

namespace ChatAdvisor.Core.Answering.Llm;

/// <summary>What the model wrote, checked against the sources it was given.</summary>
/// <param name="Text">The answer with renumbered markers, or the model's "not covered" sentence.</param>
/// <param name="Citations">One per cited source, numbered as in <paramref name="Text"/>; quotes are the retrieved passages, verbatim.</param>
/// <param name="NotCovered">The model said the sources do not cover the question.</param>
/// <param name="RemovedMarkers">Markers dropped because they named no provided source.</param>
public sealed record ValidatedAnswer(string Text, IReadOnlyList<Citation> Citations, bool NotCovered, int RemovedMarkers)
{
    /// <summary>
    /// True when the answer can be shown: the model either said the sources do not cover the question, or
    /// backed its answer with at least one valid citation. Otherwise the extractive composer answers.
    /// </summary>
    public bool IsUsable => NotCovered || Citations.Count > 0;
}

/// <summary>Checks a model's answer against the numbered sources of its prompt.</summary>
public static partial class AnswerValidator
{
    /// <summary>The words the answer prompt asks the model to start with when the sources do not cover the question.</summary>
    public const string NotCoveredSentinel = "NOT COVERED:";

    /// <summary>What the user reads when the model says the sources do not cover the question but gives no reason.</summary>
    public const string DefaultNotCoveredText = "The articles I answer from do not cover that question.";

    /// <summary>
    /// Removes markers that name no source, renumbers the rest in order of appearance, and attaches each cited
    /// source's passage as the citation's quote. A reply that starts with <see cref="NotCoveredSentinel"/> (or says
    /// the sources do not cover the question without citing any) is a "not covered" answer with no citations.
    /// </summary>
    public static ValidatedAnswer Validate(string modelText, IReadOnlyList<PackedSource> sources)
    {
        var text = modelText.Trim();
        if (IsNotCovered(text))
            return NotCoveredAnswer(text, sources.Count);

        var renumberer = new CitationRenumberer(sources.Count);
        var rewritten = renumberer.Rewrite(text).Trim();
        var citations = renumberer.CitedSources
            .Select((number, index) => ToCitation(index + 1, sources[number - 1]))
            .ToList();
        if (citations.Count == 0 && NotCoveredPhrase().IsMatch(rewritten))
            return NotCoveredAnswer(text, sources.Count);
        return new ValidatedAnswer(rewritten, citations, NotCovered: false, renumberer.RemovedCount);
    }

    /// <summary>True when <paramref name="text"/> (the start of a reply is enough) is the "not covered" reply.</summary>
    public static bool IsNotCovered(string text)
        => text.TrimStart().StartsWith(NotCoveredSentinel, StringComparison.OrdinalIgnoreCase)
           || text.TrimStart().StartsWith("NOT COVERED", StringComparison.OrdinalIgnoreCase);

    /// <summary>True while <paramref name="start"/> could still become the "not covered" reply.</summary>
    public static bool MayBecomeNotCovered(string start)
    {
        var trimmed = start.TrimStart();
        return trimmed.Length < NotCoveredSentinel.Length
            && NotCoveredSentinel.StartsWith(trimmed, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A citation of a whole retrieved passage, trimmed of surrounding white space, offsets kept exact.</summary>
    public static Citation ToCitation(int id, PackedSource source)
    {
        var chunk = source.Chunk;
        var leading = chunk.Text.Length - chunk.Text.TrimStart().Length;
        var quote = chunk.Text.Trim();
        return new Citation(id, chunk.DocumentId, chunk.Title, chunk.Section, quote)
        {
            Start = chunk.Start + leading,
            End = chunk.Start + leading + quote.Length,
        };
    }

    private static ValidatedAnswer NotCoveredAnswer(string text, int sourceCount)
    {
        var sentence = text.TrimStart();
        if (sentence.StartsWith(NotCoveredSentinel, StringComparison.OrdinalIgnoreCase))
            sentence = sentence[NotCoveredSentinel.Length..];
        else if (sentence.StartsWith("NOT COVERED", StringComparison.OrdinalIgnoreCase))
            sentence = sentence["NOT COVERED".Length..].TrimStart('.', ':', '-');
        // Citations are not shown with a "not covered" answer, so its markers go too.
        var renumberer = new CitationRenumberer(0);
        sentence = renumberer.Rewrite(sentence).Trim();
        return new ValidatedAnswer(sentence.Length == 0 ? DefaultNotCoveredText : sentence, [], NotCovered: true, renumberer.RemovedCount);
    }

    [GeneratedRegex(@"\b(sources|articles|passages)\b[^.]{0,40}\b(do not|don't|does not|doesn't)\s+(cover|address|answer|mention)", RegexOptions.IgnoreCase)]
    private static partial Regex NotCoveredPhrase();
}
