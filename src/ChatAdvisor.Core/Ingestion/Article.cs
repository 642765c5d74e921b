namespace ChatAdvisor.Core.Ingestion;

/// <summary>A section of an article: a heading and the span of text it covers.</summary>
/// <param name="Heading">The heading text, or null for the text before the first heading.</param>
/// <param name="Start">Offset of the section's first character (the heading line itself, when present).</param>
/// <param name="End">Offset just past the section's last character.</param>
public sealed record ArticleSection(string? Heading, int Start, int End);

/// <summary>
/// A cleaned article, ready for chunking. <see cref="Text"/> is what citations quote from:
/// every chunk and every quote is a substring of it.
/// </summary>
public sealed record Article(string Id, string Title, string Text, IReadOnlyList<ArticleSection> Sections)
{
    /// <summary>The author, when the article states one.</summary>
    public string? Author { get; init; }

    /// <summary>The publisher, when the article states one.</summary>
    public string? Publisher { get; init; }

    /// <summary>The original address, when known.</summary>
    public string? Url { get; init; }

    /// <summary>The file the article was read from, relative to the corpus folder.</summary>
    public string SourceFile { get; init; } = "";

    /// <summary>SHA-256 of the file's bytes, used to decide when the index must be rebuilt.</summary>
    public string ContentHash { get; init; } = "";
}
