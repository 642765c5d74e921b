using System.Runtime.CompilerServices;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Answering.Llm;

namespace ChatAdvisor.Core;

public sealed partial class Advisor
{
    /// <summary>
    /// Answers like <see cref="AskAsync(string, string?, CancellationToken)"/>, streaming the text as the language model writes it: <see cref="AnswerDelta"/>s,
    /// then one <see cref="AnswerCompleted"/> with the answer, recorded in the conversation just as <see cref="AskAsync(string, string?, CancellationToken)"/>
    /// records it. Without a language model (<c>Llm:Provider</c> none), or for out-of-scope questions, only the
    /// <see cref="AnswerCompleted"/> comes.
    /// </summary>
    /// <exception cref="InvalidQuestionException">The question is empty or longer than <see cref="QuestionRules.MaxLength"/>.</exception>
    /// <exception cref="ArgumentException">The conversation id is not valid (see <see cref="Conversations.ConversationIds.IsValid"/>).</exception>
    public IAsyncEnumerable<AskUpdate> AskStreamingAsync(string question, string? conversationId = null, CancellationToken cancellationToken = default)
        => AskStreamingAsync(question, conversationId, client: null, cancellationToken);

    /// <summary>
    /// Streams as <see cref="AskStreamingAsync(string, string?, CancellationToken)"/> does, for <paramref name="client"/>: a
    /// caller of the HTTP API whose new conversations count against <see cref="StorageOptions.MaxConversationsPerClient"/>.
    /// </summary>
    public async IAsyncEnumerable<AskUpdate> AskStreamingAsync(string question, string? conversationId, string? client,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var turn = await BeginTurnAsync(question, conversationId, client, cancellationToken);
        LlmAnswer? written = null;
        if (turn.Llm is not null)
        {
            await foreach (var item in turn.Llm.AnswerStreamingAsync(question, turn.PriorTurns, turn.Hits, cancellationToken))
            {
                if (item is LlmTextDelta delta)
                    yield return new AnswerDelta(delta.Text);
                else if (item is LlmCompleted completed)
                    written = completed.Answer;
            }
        }
        AdvisorAnswer answer;
        try
        {
            answer = await CompleteTurnAsync(turn, written, cancellationToken);
        }
        catch (Conversations.ConversationChangedException)
        {
            // Another turn was stored while this one streamed: the final answer, which replaces the streamed text on
            // every channel, is made again from the history that includes it.
            Telemetry.TurnRetries.Add(1);
            answer = await AskAsync(question, turn.ConversationId, client, cancellationToken);
        }
        yield return new AnswerCompleted(answer);
    }
}
