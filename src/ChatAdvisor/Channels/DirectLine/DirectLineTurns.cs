using System.Text.Json.Nodes;
using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Storage;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.DirectLine;

/// <summary>
/// Answers Direct Line questions on the turn queue, once each and in order, whichever replica logged them. A question is
/// logged as a pending turn leased by the replica that took it (<see cref="IDirectLineLog"/>). Before answering, a turn
/// makes sure the questions logged before it in the conversation are answered first: it answers those that are this
/// replica's or whose lease lapsed, and waits for those another live replica holds. In the background, the service keeps
/// this replica's leases alive, takes over the lapsed turns of a replica that died, listens for other replicas'
/// activities, and forgets idle conversations. Thread-safe; a singleton hosted service.
/// </summary>
public sealed class DirectLineTurns(
    DirectLineConversations conversations, BotTurnHandler bot, TurnQueue queue, IOptions<DirectLineOptions> options,
    TimeProvider time, ILogger<DirectLineTurns> logger) : BackgroundService
{
    /// <summary>How often a turn looks again at an earlier question that another replica is answering.</summary>
    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(200);

    private IDirectLineLog Log => conversations.Log;

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.TurnLeaseSeconds);

    /// <summary>The conversation key of a Direct Line conversation on the turn queue.</summary>
    public static string ConversationKey(string conversationId) => ChannelTurns.ConversationKey(DirectLineReplySink.ChannelId, conversationId);

    /// <summary>Queues the bot's turn on <paramref name="inbound"/>, logged as <paramref name="sequence"/> (null for an activity that is not a question).</summary>
    public TurnQueueRefusal TryEnqueue(string conversationId, Activity inbound, long? sequence)
        => queue.TryEnqueue(ConversationKey(conversationId), inbound.Id ?? conversationId, stopping => RunAsync(conversationId, inbound, sequence, stopping));

    private async Task RunAsync(string conversationId, Activity inbound, long? sequence, CancellationToken cancellationToken)
    {
        if (sequence is { } question && Log.IsShared && !await TakeTurnAsync(conversationId, question, cancellationToken))
            return;
        await AnswerAsync(conversationId, inbound, sequence, cancellationToken);
    }

    private async Task AnswerAsync(string conversationId, Activity inbound, long? sequence, CancellationToken cancellationToken)
    {
        try
        {
            await bot.HandleAsync(inbound, new DirectLineReplySink(conversations, conversationId, inbound), ReplyStyle.WebChat, cancellationToken);
        }
        catch when (sequence is { } question && Log.IsShared)
        {
            // No reply was logged (the server is stopping, or the database failed): give the turn up, so that this or
            // another replica takes it again rather than holding its lease with nobody answering.
            try
            {
                await Log.ReleaseAsync(conversationId, question, CancellationToken.None);
            }
            catch (StorageUnavailableException)
            {
                // The lease lapses by itself.
            }
            throw;
        }
    }

    /// <summary>
    /// Answers the conversation's earlier pending questions first, then takes <paramref name="sequence"/>. False when it
    /// is answered already or another live replica holds it.
    /// </summary>
    private async Task<bool> TakeTurnAsync(string conversationId, long sequence, CancellationToken cancellationToken)
    {
        // An earlier question held by a live replica is waited for, but not forever: after three leases this one goes ahead.
        long waitingSince = time.GetTimestamp();
        while (true)
        {
            var pending = await Log.PendingAsync(conversationId, sequence, cancellationToken);
            if (pending.Count == 0 || pending[^1].Sequence != sequence)
                return false;
            if (pending.Count == 1 || time.GetElapsedTime(waitingSince) > 3 * Lease)
                return await Log.ClaimAsync(conversationId, sequence, cancellationToken);

            var earlier = pending[0];
            if ((earlier.Mine || earlier.Lapsed) && await Log.ClaimAsync(conversationId, earlier.Sequence, cancellationToken))
            {
                DirectLineLog.EarlierTurnFirst(logger, conversationId, earlier.Sequence);
                if (await ReadQuestionAsync(conversationId, earlier.Sequence, cancellationToken) is { } inbound)
                    await AnswerAsync(conversationId, inbound, earlier.Sequence, cancellationToken);
                continue;
            }
            await Task.Delay(WaitStep, time, cancellationToken);
        }
    }

    /// <summary>The logged question <paramref name="sequence"/> as the bot reads it; when it cannot be read, the user is told so (which ends its turn).</summary>
    private async Task<Activity?> ReadQuestionAsync(string conversationId, long sequence, CancellationToken cancellationToken)
    {
        var logged = (await Log.ReadAsync(conversationId, sequence - 1, cancellationToken)).FirstOrDefault(a => a.Sequence == sequence);
        var id = DirectLineStamp.ActivityId(conversationId, sequence);
        if (logged.Json is not null && JsonNode.Parse(logged.Json) is JsonObject json && DirectLineReplySink.Read(json, id) is { } inbound)
        {
            inbound.Conversation = new ConversationAccount { Id = conversationId };
            return inbound;
        }
        await DirectLineReplySink.RefuseUnreadableAsync(conversations, conversationId, id);
        return null;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = Log is PostgresDirectLineLog shared ? shared.Listen(null, stoppingToken) : Task.CompletedTask;
        // Leases are renewed three times per lease, and lapsed ones looked for as often.
        using var timer = new PeriodicTimer(Lease / 3, time);
        long lastSweep = time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (Log.IsShared)
                    {
                        await Log.RenewAsync(stoppingToken);
                        await TakeOverLapsedAsync(stoppingToken);
                    }
                    if (time.GetElapsedTime(lastSweep) >= TimeSpan.FromMinutes(1))
                    {
                        lastSweep = time.GetTimestamp();
                        int forgotten = await Log.ForgetIdleAsync(time.GetUtcNow() - TimeSpan.FromMinutes(options.Value.ConversationIdleMinutes), stoppingToken);
                        if (forgotten > 0)
                            DirectLineLog.ConversationsForgotten(logger, forgotten);
                    }
                }
                catch (StorageUnavailableException)
                {
                    // Logged by the storage; the next tick tries again.
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // A conversation deleted meanwhile, say: this round is lost, the service is not.
                    DirectLineLog.UpkeepFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        await listening;
    }

    private async Task TakeOverLapsedAsync(CancellationToken cancellationToken)
    {
        foreach (var (conversationId, sequence) in (await Log.ClaimLapsedAsync(100, cancellationToken)).OrderBy(t => t.ConversationId, StringComparer.Ordinal).ThenBy(t => t.Sequence))
        {
            DirectLineLog.TurnTakenOver(logger, conversationId, sequence);
            Telemetry.TurnsTakenOver.Add(1);
            if (await ReadQuestionAsync(conversationId, sequence, cancellationToken) is not { } inbound)
                continue;
            if (TryEnqueue(conversationId, inbound, sequence) != TurnQueueRefusal.None)
                await Log.ReleaseAsync(conversationId, sequence, cancellationToken); // full here: try again later, here or elsewhere
        }
    }
}
