namespace ChatAdvisor.Core.Chunking;

/// <summary>What a <see cref="TextUnit"/> is in its article.</summary>
public enum UnitKind
{
    /// <summary>A sentence of a paragraph.</summary>
    Sentence,
    /// <summary>A list item (or one sentence of a long list item), without its bullet.</summary>
    ListItem,
    /// <summary>The header row of a table.</summary>
    TableHeader,
    /// <summary>A row of a table.</summary>
    TableRow,
    /// <summary>A fenced code block.</summary>
    Code,
}

/// <summary>
/// The smallest quotable piece of an article: a sentence, a list item or a table row.
/// <c>article.Text[Start..End]</c> is its exact text.
/// </summary>
/// <param name="Start">Offset of the first character.</param>
/// <param name="End">Offset just past the last character.</param>
/// <param name="Kind">What the unit is.</param>
/// <param name="Section">Index into the article's sections.</param>
/// <param name="Block">Index of the paragraph, list, table or code block the unit belongs to (in article order).</param>
public readonly record struct TextUnit(int Start, int End, UnitKind Kind, int Section, int Block);
