namespace ChatAdvisor.Channels.Slack;

/// <summary>Where an answer goes: a channel and, for threaded replies, the parent message's ts.</summary>
/// <param name="Channel">The channel or DM id.</param>
/// <param name="ThreadTs">The thread's parent ts, or null to post at the top level (a direct message).</param>
public sealed record SlackDestination(string Channel, string? ThreadTs);

/// <summary>Work accepted from Slack and done after the request has been acknowledged.</summary>
/// <param name="Key">A short id for logs (the event id or the interaction's trigger id).</param>
/// <param name="ConversationId">The advisor conversation; work for one conversation is done in order.</param>
public abstract record SlackWork(string Key, string ConversationId);

/// <summary>A question to answer in <paramref name="Destination"/>.</summary>
/// <param name="Key">A short id for logs.</param>
/// <param name="ConversationId">The advisor conversation of the thread or DM.</param>
/// <param name="Destination">Where the answer is posted.</param>
/// <param name="Question">The user's text with Slack's markup removed.</param>
/// <param name="AskedBy">Set when the question came from a follow-up button: the user who clicked, named in the answer.</param>
/// <param name="TeamId">The workspace of the user who asked (a streamed reply outside a DM is addressed to them).</param>
/// <param name="UserId">The user who asked.</param>
public sealed record SlackQuestion(string Key, string ConversationId, SlackDestination Destination, string Question, string? AskedBy,
    string? TeamId = null, string? UserId = null)
    : SlackWork(Key, ConversationId);

/// <summary>A like or dislike of an answer from its feedback buttons.</summary>
/// <param name="Key">A short id for logs.</param>
/// <param name="ConversationId">The conversation the answer belongs to.</param>
/// <param name="AnswerId">The rated answer.</param>
/// <param name="Positive">True for "helpful".</param>
public sealed record SlackFeedback(string Key, string ConversationId, string AnswerId, bool Positive)
    : SlackWork(Key, ConversationId);
