using ChatAdvisor.Core.Conversations;

namespace ChatAdvisor.Channels.Slack;

/// <summary>What became of a verified Slack delivery.</summary>
public enum SlackDeliveryOutcome
{
    /// <summary>Work was queued; the answer follows in the background.</summary>
    Queued,
    /// <summary>The same delivery was accepted before (a retry, or the second event for one message).</summary>
    Duplicate,
    /// <summary>Nothing to do: a bot's message, an edit, a channel message outside the bot's threads, an unknown event.</summary>
    Ignored,
    /// <summary>The answer queue refused the work; the caller answers 503 so Slack retries.</summary>
    Busy,
}

/// <summary>
/// Decides what a verified Slack event or interaction asks for and queues it: mentions in channels and direct
/// messages become questions in the conversation of their thread (or DM); replies in a thread the bot answers in
/// continue it without a new mention; bots, our own included, and edits are ignored; each delivery is answered once.
/// </summary>
public sealed class SlackInbox(TurnQueue queue, IServiceScopeFactory scopes, SlackDeliveries deliveries, SlackThreads threads, ILogger<SlackInbox> logger)
{
    /// <summary>The conversation id of a channel thread: <c>slack:{team}:{channel}:{thread ts}</c>.</summary>
    public static string ThreadConversationId(string team, string channel, string threadTs) => ChannelTurns.ConversationKey("slack", team, channel, threadTs);

    /// <summary>The conversation id of a direct message: <c>slack:{team}:{channel}</c> — the DM is one conversation.</summary>
    public static string DirectConversationId(string team, string channel) => ChannelTurns.ConversationKey("slack", team, channel);

    internal async Task<SlackDeliveryOutcome> AcceptEventAsync(SlackEnvelope envelope, string? retryNum, string? retryReason, CancellationToken cancellationToken = default)
    {
        var ev = envelope.Event;
        if (envelope.Type != "event_callback" || ev is null)
            return Ignore(envelope.EventId, envelope.Type, "not an event callback");
        if (ev.BotId is not null || ev.BotProfile is not null || ev.Subtype is "bot_message")
            return Ignore(envelope.EventId, ev.Type, "sent by a bot");
        // Edits, deletions, joins and the like are not questions; a thread reply also sent to the channel is.
        if (ev.Subtype is not (null or "thread_broadcast" or "file_share"))
            return Ignore(envelope.EventId, ev.Type, $"subtype {ev.Subtype}");

        var botUserId = envelope.Authorizations?.FirstOrDefault(a => a.IsBot)?.UserId;
        if (botUserId is not null && ev.User == botUserId)
            return Ignore(envelope.EventId, ev.Type, "sent by this app");

        var team = envelope.TeamId ?? ev.Team;
        if (team is null || ev.Channel is null || ev.Ts is null || envelope.EventId is null)
            return Ignore(envelope.EventId, ev.Type, "no team, channel, ts or event id");

        string conversationId;
        SlackDestination destination;
        string? joinThread = null;
        switch (ev.Type, ev.ChannelType)
        {
            case ("message", "im"):
                // In a direct message the DM is the conversation; answer where the user wrote (top level or a thread).
                conversationId = DirectConversationId(team, ev.Channel);
                destination = new SlackDestination(ev.Channel, ev.ThreadTs);
                break;
            case ("app_mention", _):
                var thread = ev.ThreadTs ?? ev.Ts;
                conversationId = ThreadConversationId(team, ev.Channel, thread);
                destination = new SlackDestination(ev.Channel, thread);
                joinThread = thread;
                break;
            case ("message", _) when ev.ThreadTs is { } replyTo && replyTo != ev.Ts && await threads.IsJoinedAsync(team, ev.Channel, replyTo, cancellationToken):
                conversationId = ThreadConversationId(team, ev.Channel, replyTo);
                destination = new SlackDestination(ev.Channel, replyTo);
                joinThread = replyTo;
                break;
            default:
                return Ignore(envelope.EventId, ev.Type, "not a mention, a direct message or a reply in the bot's thread");
        }

        if (!ConversationIds.IsValid(conversationId))
            return Ignore(envelope.EventId, ev.Type, "ids do not form a valid conversation id");

        // A mention in a thread the bot follows raises both app_mention and message for the same message: the
        // message key makes the second one a duplicate.
        var question = new SlackQuestion(envelope.EventId, conversationId, destination, SlackText.ToQuestion(ev.Text, botUserId), AskedBy: null, team, ev.User);
        var outcome = await EnqueueAsync(question, [$"event:{envelope.EventId}", $"message:{team}:{ev.Channel}:{ev.Ts}"], cancellationToken);
        if (outcome == SlackDeliveryOutcome.Duplicate)
            SlackLog.EventDuplicate(logger, envelope.EventId, retryNum, retryReason);
        if (outcome == SlackDeliveryOutcome.Queued && joinThread is not null)
            await threads.JoinAsync(team, ev.Channel, joinThread, cancellationToken);
        return outcome;
    }

    internal async Task<SlackDeliveryOutcome> AcceptInteractionAsync(SlackInteraction interaction, CancellationToken cancellationToken = default)
    {
        var action = interaction.Actions?.FirstOrDefault();
        var key = interaction.TriggerId;
        if (interaction.Type != "block_actions" || action?.ActionId is null || action.Value is null || key is null)
            return IgnoreInteraction(key, "not a button of ours");

        var team = interaction.Team?.Id;
        var channel = interaction.Channel?.Id ?? interaction.Container?.ChannelId;
        if (team is null || channel is null)
            return IgnoreInteraction(key, "no team or channel");

        // The buttons sit on the bot's answer, which is in the thread (or at the top level of a DM).
        var threadTs = interaction.Container?.ThreadTs ?? interaction.Message?.ThreadTs;
        var isDirect = channel.StartsWith('D');
        var conversationId = isDirect ? DirectConversationId(team, channel) : threadTs is null ? null : ThreadConversationId(team, channel, threadTs);
        if (conversationId is null || !ConversationIds.IsValid(conversationId))
            return IgnoreInteraction(key, "not in a thread or direct message");

        SlackWork work;
        if (action.ActionId.StartsWith(SlackMessageRenderer.FollowUpAction, StringComparison.Ordinal))
            work = new SlackQuestion(key, conversationId, new SlackDestination(channel, threadTs), action.Value, interaction.User?.Id, team, interaction.User?.Id);
        else if (action.ActionId is SlackMessageRenderer.LikeAction or SlackMessageRenderer.DislikeAction)
            work = new SlackFeedback(key, conversationId, action.Value, action.ActionId == SlackMessageRenderer.LikeAction);
        else
            return IgnoreInteraction(key, $"unknown action {action.ActionId}");

        var outcome = await EnqueueAsync(work, [$"interaction:{key}"], cancellationToken);
        if (outcome == SlackDeliveryOutcome.Queued && !isDirect && threadTs is not null)
            await threads.JoinAsync(team, channel, threadTs, cancellationToken);
        return outcome;
    }

    private async Task<SlackDeliveryOutcome> EnqueueAsync(SlackWork work, string[] keys, CancellationToken cancellationToken)
    {
        if (!await deliveries.TryClaimAsync(keys, cancellationToken))
            return SlackDeliveryOutcome.Duplicate;
        if (queue.TryEnqueue(work.ConversationId, work.Key, stopping => RespondAsync(work, stopping)) != TurnQueueRefusal.None)
        {
            await deliveries.ReleaseAsync(keys, cancellationToken);
            SlackLog.QueueRefused(logger, work.Key);
            return SlackDeliveryOutcome.Busy;
        }
        SlackLog.WorkQueued(logger, work.Key, work.ConversationId);
        return SlackDeliveryOutcome.Queued;
    }

    private async Task RespondAsync(SlackWork work, CancellationToken cancellationToken)
    {
        // A scope per piece of work: the responder's typed HttpClient is transient and must not outlive it.
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SlackResponder>().RespondAsync(work, cancellationToken);
    }

    private SlackDeliveryOutcome Ignore(string? eventId, string? eventType, string reason)
    {
        SlackLog.EventIgnored(logger, eventId, eventType, reason);
        return SlackDeliveryOutcome.Ignored;
    }

    private SlackDeliveryOutcome IgnoreInteraction(string? key, string reason)
    {
        SlackLog.InteractionIgnored(logger, key, reason);
        return SlackDeliveryOutcome.Ignored;
    }
}
