namespace ChatAdvisor.Core.Answering;

/// <summary>
/// One step of a streamed answer from <see cref="Advisor.AskStreamingAsync(string, string?, CancellationToken)"/>: zero or more
/// <see cref="AnswerDelta"/>s, then exactly one <see cref="AnswerCompleted"/>.
/// </summary>
public abstract record AskUpdate;

/// <summary>
/// More text of the answer as the language model writes it, [n] markers already checked and renumbered.
/// The deltas are a preview: show them, then replace them with <see cref="AnswerCompleted.Answer"/>, which may
/// differ (when the model fails mid-answer the extractive answer replaces it). The extractive composer sends no deltas.
/// </summary>
/// <param name="Text">The next piece of Markdown, to append to the previous ones.</param>
public sealed record AnswerDelta(string Text) : AskUpdate;

/// <summary>The finished answer, the same as <see cref="Advisor.AskAsync(string, string?, CancellationToken)"/> returns; always the last update.</summary>
/// <param name="Answer">The answer with its citations and suggestions.</param>
public sealed record AnswerCompleted(AdvisorAnswer Answer) : AskUpdate;
