using System.Data.Common;
using System.Text.Json;
using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Core.Conversations;

/// <summary>
/// Where conversations and feedback live: the embedded SQLite file of one process (<see cref="ConversationStore"/>,
/// the default) or a PostgreSQL database that several replicas share.
/// </summary>
/// <remarks>
/// Every implementation keeps at most <see cref="StorageOptions.MaxTurnsPerConversation"/> turns per conversation,
/// expires conversations idle past <see cref="StorageOptions.ConversationIdleHours"/>, bounds a stored turn as
/// <see cref="StoredTurns.Bound"/> does and reports failures of the storage itself as
/// <see cref="StorageUnavailableException"/> with a message that is safe to log.
/// </remarks>
public interface IConversationStore
{
    /// <summary>Prepares the store as the host starts (creates or migrates the schema); throws with a message naming the setting to fix.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>The turns of a conversation, oldest first; empty when it is unknown or has expired.</summary>
    Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The turns of a conversation with its version, the sequence number of its latest turn (0 when it has none). Pass the
    /// version to <see cref="AppendAsync(string, ConversationTurn, string?, long?, CancellationToken)"/> so that a turn
    /// answered from this history is not stored over a turn another request or replica added meanwhile.
    /// </summary>
    Task<ConversationHistory> GetHistoryAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a turn, creating the conversation if needed and trimming old turns, in one transaction. A new conversation
    /// of <paramref name="client"/> (an HTTP API caller; null for channels) past
    /// <see cref="StorageOptions.MaxConversationsPerClient"/> evicts that client's own least recently used ones.
    /// </summary>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="turn">The turn to store.</param>
    /// <param name="client">The HTTP API caller that owns a new conversation, or null.</param>
    /// <param name="expectedVersion">
    /// The version the turn was answered against (from <see cref="GetHistoryAsync"/>), or null to append whatever came before.
    /// </param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="ConversationChangedException">Another turn was stored since <paramref name="expectedVersion"/>; nothing was written.</exception>
    Task AppendAsync(string conversationId, ConversationTurn turn, string? client, long? expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Stores feedback with a copy of the answer it rates. Returns false when the answer id is unknown.</summary>
    Task<bool> RecordFeedbackAsync(AnswerFeedback feedback, CancellationToken cancellationToken = default);

    /// <summary>The feedback recorded for an answer, oldest first (for tests and reports).</summary>
    Task<IReadOnlyList<(bool Positive, string? Comment, string Channel, string Question, string AnswerText)>> GetFeedbackAsync(string answerId, CancellationToken cancellationToken = default);

    /// <summary>Deletes conversations idle past the limit. Returns how many were deleted.</summary>
    Task<int> ExpireIdleAsync(CancellationToken cancellationToken = default);

    /// <summary>The scheduled clean-up: expires idle conversations and enforces the size cap. Returns how many expired.</summary>
    Task<int> CleanUpAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes, reads back and deletes a row, as <c>/readyz</c> checks that conversations can be stored. Returns null
    /// when storage works, else a short description of the failure (no paths, connection strings or exception text).
    /// </summary>
    Task<string?> ProbeAsync(CancellationToken cancellationToken = default);
}

/// <summary>Shortcuts every caller would otherwise repeat.</summary>
public static class ConversationStoreExtensions
{
    /// <summary>Appends a turn after whatever came before, for a channel (no owning API client).</summary>
    public static Task AppendAsync(this IConversationStore store, string conversationId, ConversationTurn turn, CancellationToken cancellationToken = default)
        => store.AppendAsync(conversationId, turn, client: null, expectedVersion: null, cancellationToken);

    /// <summary>Appends a turn after whatever came before.</summary>
    public static Task AppendAsync(this IConversationStore store, string conversationId, ConversationTurn turn, string? client, CancellationToken cancellationToken = default)
        => store.AppendAsync(conversationId, turn, client, expectedVersion: null, cancellationToken);
}

/// <summary>A conversation's turns, oldest first, and its version (the sequence number of the latest turn; 0 for none).</summary>
public sealed record ConversationHistory(IReadOnlyList<ConversationTurn> Turns, long Version)
{
    /// <summary>A conversation with no turns.</summary>
    public static readonly ConversationHistory Empty = new([], 0);
}

/// <summary>
/// Another turn of the conversation was stored after the history a turn was answered from: answer again from the new
/// history rather than store a turn that ignores it.
/// </summary>
public sealed class ConversationChangedException(string conversationId, long expected, long actual)
    : Exception($"Conversation {conversationId} changed while a turn was answered (version {expected} expected, {actual} found).")
{
    /// <summary>The version the turn was answered against.</summary>
    public long Expected { get; } = expected;

    /// <summary>The version found when storing.</summary>
    public long Actual { get; } = actual;
}

/// <summary>How a turn is stored, the same for every store: bounded in size and serialised as JSON.</summary>
public static class StoredTurns
{
    /// <summary>The JSON form of the stored state and answer.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The longest quote stored with a citation.</summary>
    private const int MaxQuoteChars = 2_000;

    /// <summary>The most citations and suggestions stored with a turn.</summary>
    private const int MaxListItems = 32;

    /// <summary>
    /// The turn as it is stored: the answer text cut to <paramref name="maxAnswerChars"/>, quotes to 2,000 characters
    /// and at most 32 citations and suggestions, so one turn's row stays bounded whatever a model writes.
    /// </summary>
    public static ConversationTurn Bound(ConversationTurn turn, int maxAnswerChars)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var answer = turn.Answer;
        int max = maxAnswerChars;
        if (answer.Text.Length <= max && answer.Citations.Count <= MaxListItems && answer.Suggestions.Count <= MaxListItems
            && answer.Citations.All(c => c.Quote.Length <= MaxQuoteChars) && answer.Suggestions.All(s => s.Length <= max))
            return turn;
        var bounded = answer with
        {
            Text = Cut(answer.Text, max),
            Citations = [.. answer.Citations.Take(MaxListItems).Select(c => c.Quote.Length <= MaxQuoteChars ? c : c with { Quote = Cut(c.Quote, MaxQuoteChars) })],
            Suggestions = [.. answer.Suggestions.Take(MaxListItems).Select(s => Cut(s, max))],
        };
        return turn with { Answer = bounded };
    }

    /// <summary>The state of a turn as stored.</summary>
    public static string SerializeState(TurnState state) => JsonSerializer.Serialize(state, Json);

    /// <summary>An answer as stored.</summary>
    public static string SerializeAnswer(AdvisorAnswer answer) => JsonSerializer.Serialize(answer, Json);

    /// <summary>A stored turn read back.</summary>
    public static ConversationTurn Read(string question, string state, string answer)
        => new(question, JsonSerializer.Deserialize<TurnState>(state, Json)!, JsonSerializer.Deserialize<AdvisorAnswer>(answer, Json)!);

    /// <summary>
    /// Reads a conversation's turns from rows of (question, state, answer, version), oldest first; the version is the
    /// last row's. The same for every store's query.
    /// </summary>
    public static async Task<ConversationHistory> ReadHistoryAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var turns = new List<ConversationTurn>();
        long version = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            turns.Add(Read(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            version = reader.GetInt64(3);
        }
        return turns.Count == 0 ? ConversationHistory.Empty : new ConversationHistory(turns, version);
    }

    /// <summary>
    /// How many of the least recently used conversations to evict in one round when <paramref name="used"/> bytes exceed
    /// <paramref name="target"/>: as many as the excess holds at the average size of <paramref name="conversations"/>,
    /// at least one, so a round never empties a store that is only a little over its cap.
    /// </summary>
    public static long EvictionBatch(long used, long target, long conversations)
        => conversations <= 0 || used <= target ? 0 : Math.Clamp((used - target) * conversations / used + 1, 1, 256);

    /// <summary>A stored answer's text.</summary>
    public static string AnswerText(string answer) => JsonSerializer.Deserialize<AdvisorAnswer>(answer, Json)!.Text;

    private static string Cut(string text, int max)
    {
        if (text.Length <= max)
            return text;
        int end = char.IsHighSurrogate(text[max - 2]) ? max - 2 : max - 1;
        return string.Concat(text.AsSpan(0, end), "…");
    }
}
