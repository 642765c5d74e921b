namespace ChatAdvisor.Core.Answering;

/// <summary>What kind of question the advisor recognised; drives how the answer is composed.</summary>
public enum QuestionKind
{
    /// <summary>"Which framework for X?" — a recommendation for a use case.</summary>
    Recommendation,
    /// <summary>"X vs Y?" — a comparison of two or more entities.</summary>
    Comparison,
    /// <summary>"What are the pros/cons of X?"</summary>
    ProsCons,
    /// <summary>Who, when, what facts: "Who created X?"</summary>
    Fact,
    /// <summary>"What is a backend framework?"</summary>
    Definition,
    /// <summary>Anything else the articles may cover.</summary>
    General,
    /// <summary>Not about what the corpus compares (weather, recipes, technologies the articles never mention).</summary>
    OutOfScope,
}

/// <summary>
/// One citation of an answer: a verbatim passage of an article. <see cref="Quote"/> is always an exact
/// substring of the article's text at <see cref="Start"/>..<see cref="End"/>, never generated text.
/// </summary>
/// <param name="Id">The number used in the answer's [n] markers, starting at 1 in order of appearance.</param>
/// <param name="DocumentId">The article's id (its file name without extension).</param>
/// <param name="Title">The article's title.</param>
/// <param name="Section">The heading of the section the quote comes from, or null.</param>
/// <param name="Quote">The verbatim passage.</param>
public sealed record Citation(int Id, string DocumentId, string Title, string? Section, string Quote)
{
    /// <summary>The article's author, when the article states one.</summary>
    public string? Author { get; init; }

    /// <summary>The article's publisher, when the article states one.</summary>
    public string? Publisher { get; init; }

    /// <summary>A link to the original article, when known.</summary>
    public string? Url { get; init; }

    /// <summary>Character offset of the quote in the article's text.</summary>
    public int Start { get; init; }

    /// <summary>Character offset just past the quote in the article's text.</summary>
    public int End { get; init; }
}

/// <summary>
/// The advisor's answer to one question. Channels render it; they never change its content.
/// </summary>
/// <param name="ConversationId">The conversation the turn was recorded in.</param>
/// <param name="AnswerId">A unique id for this answer, used to attach feedback to it.</param>
/// <param name="Text">Markdown with [n] markers that refer to <see cref="Citations"/>.</param>
/// <param name="Grounded">False when the articles do not cover the question; then <see cref="Citations"/> is empty.</param>
/// <param name="Citations">The cited passages, numbered 1..n in order of first appearance in <see cref="Text"/>.</param>
/// <param name="Suggestions">Follow-up questions the advisor can answer.</param>
public sealed record AdvisorAnswer(
    string ConversationId,
    string AnswerId,
    string Text,
    bool Grounded,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<string> Suggestions)
{
    /// <summary>The kind of question that was recognised.</summary>
    public QuestionKind Kind { get; init; }

    /// <summary>The question as it was searched for, after follow-up resolution (for example "What are the cons of X?").</summary>
    public string? ResolvedQuestion { get; init; }
}

/// <summary>A user's rating of an answer, from any channel.</summary>
/// <param name="AnswerId">The <see cref="AdvisorAnswer.AnswerId"/> being rated.</param>
/// <param name="Positive">True for like, false for dislike.</param>
/// <param name="Comment">Optional free text the user wrote.</param>
/// <param name="Channel">Where the feedback came from (msteams, webchat, slack, api).</param>
public sealed record AnswerFeedback(string AnswerId, bool Positive, string? Comment, string Channel);
