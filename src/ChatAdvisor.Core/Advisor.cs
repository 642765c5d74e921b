using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Core;

/// <summary>
/// The one entry point every channel calls: ask a question within a conversation, rate an answer,
/// list what the advisor knows. Thread-safe; registered as a singleton.
/// </summary>
public sealed partial class Advisor
{
    /// <summary>Questions shown to a new user (welcome messages, empty conversations).</summary>
    public static readonly IReadOnlyList<string> StarterQuestions =
    [
        "Which framework should I use for a high-traffic ML inference API?",
        "Django vs Flask vs FastAPI: how do they compare?",
        "Which framework is best for beginners?",
        "What are the pros and cons of Flask?",
    ];

    /// <summary>
    /// Answers <paramref name="question"/> in the conversation <paramref name="conversationId"/>.
    /// A null id starts a new conversation; an unknown or expired id starts a new conversation under that id.
    /// </summary>
    /// <exception cref="InvalidQuestionException">The question is empty or longer than <see cref="QuestionRules.MaxLength"/>.</exception>
    /// <exception cref="ArgumentException">The conversation id is not valid (see <see cref="ConversationIds.IsValid"/>).</exception>
    public Task<AdvisorAnswer> AskAsync(string question, string? conversationId = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Records a rating of an answer. Returns false when the answer id is unknown.</summary>
    public Task<bool> RecordFeedbackAsync(AnswerFeedback feedback, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>The articles the advisor answers from (waits for the index to be ready).</summary>
    public Task<IReadOnlyList<Article>> GetArticlesAsync(CancellationToken cancellationToken = default)
        => throw new NotImplementedException();
}
