using ChatAdvisor.Storage;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>
/// What the bot has recently seen and sent on Bot Framework channels: inbound activity ids already taken (the channel
/// re-posts an activity when the bot is slow, so each one must be answered once) and the answer behind each reply the
/// channel acknowledged (Teams rates a reply by its activity id). Kept in the channel memory, so with replicas a
/// re-post or a rating that reaches another replica is still recognised. Entries expire after <see cref="Retention"/>.
/// </summary>
public sealed class RecentActivities(IChannelMemory memory)
{
    /// <summary>How long ids are remembered.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    private const string Seen = "botframework-seen";
    private const string Replies = "botframework-replies";

    /// <summary>Claims the inbound activity; false when it was claimed before (a re-delivery).</summary>
    public Task<bool> TryClaimAsync(Activity activity, CancellationToken cancellationToken = default)
        => string.IsNullOrEmpty(activity.Id)
            ? Task.FromResult(true)
            : memory.TryClaimAsync(Seen, Key(activity.ChannelId, activity.Conversation?.Id, activity.Id), Retention, cancellationToken);

    /// <summary>Gives a claim back, so the channel's retry is processed (used when the bot could not take the work).</summary>
    public Task ReleaseAsync(Activity activity, CancellationToken cancellationToken = default)
        => string.IsNullOrEmpty(activity.Id)
            ? Task.CompletedTask
            : memory.ReleaseAsync(Seen, Key(activity.ChannelId, activity.Conversation?.Id, activity.Id), cancellationToken);

    /// <summary>Remembers that the channel's activity <paramref name="replyActivityId"/> carries answer <paramref name="answerId"/>.</summary>
    public Task RecordAnswerAsync(Activity inbound, string replyActivityId, string answerId, CancellationToken cancellationToken = default)
        => memory.SetAsync(Replies, Key(inbound.ChannelId, inbound.Conversation?.Id, replyActivityId), answerId, Retention, cancellationToken);

    /// <summary>The answer id behind the reply an invoke refers to (its replyToId), or null.</summary>
    public Task<string?> FindAnswerAsync(Activity invoke, CancellationToken cancellationToken = default)
        => string.IsNullOrEmpty(invoke.ReplyToId)
            ? Task.FromResult<string?>(null)
            : memory.GetAsync(Replies, Key(invoke.ChannelId, invoke.Conversation?.Id, invoke.ReplyToId), cancellationToken);

    private static string Key(string? channelId, string? conversationId, string id) => $"{channelId}\n{conversationId}\n{id}";
}
