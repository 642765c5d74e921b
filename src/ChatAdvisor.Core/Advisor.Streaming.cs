using System.Runtime.CompilerServices;
using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Core;

public sealed partial class Advisor
{
    /// <summary>
    /// Answers like <see cref="AskAsync"/>, streaming the text as the language model writes it: <see cref="AnswerDelta"/>s,
    /// then one <see cref="AnswerCompleted"/> with the same answer <see cref="AskAsync"/> would return. Without a
    /// language model (<c>Llm:Provider</c> none) only the <see cref="AnswerCompleted"/> comes.
    /// </summary>
    /// <exception cref="InvalidQuestionException">The question is empty or longer than <see cref="QuestionRules.MaxLength"/>.</exception>
    /// <exception cref="ArgumentException">The conversation id is not valid (see <see cref="Conversations.ConversationIds.IsValid"/>).</exception>
    public async IAsyncEnumerable<AskUpdate> AskStreamingAsync(string question, string? conversationId = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return new AnswerCompleted(await AskAsync(question, conversationId, cancellationToken));
    }
}
