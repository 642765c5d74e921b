namespace ChatAdvisor.Core.Chunking;

/// <summary>
/// A retrievable passage: a span of one article's text. <see cref="Text"/> equals
/// <c>article.Text[Start..End]</c>, so a chunk (or any sentence inside it) can be quoted verbatim.
/// </summary>
/// <param name="Index">Position of the chunk in the index (0-based, dense).</param>
/// <param name="DocumentId">The article's id.</param>
/// <param name="Title">The article's title.</param>
/// <param name="Section">The heading of the section the chunk starts in, or null.</param>
/// <param name="Start">Offset of the first character in the article's text.</param>
/// <param name="End">Offset just past the last character.</param>
/// <param name="Text">The chunk's text.</param>
/// <param name="TokenCount">Tokens in <see cref="Text"/> as the configured token counter counts them.</param>
public sealed record Chunk(int Index, string DocumentId, string Title, string? Section, int Start, int End, string Text, int TokenCount);
