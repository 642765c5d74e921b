using ChatAdvisor.Storage;

namespace ChatAdvisor.Channels.Slack;

/// <summary>
/// The deliveries already accepted, so Slack's retries and the two events one mention can raise (app_mention and
/// message) are answered once. Keys live for an hour: Slack's last retry comes about five minutes after the first try.
/// Kept in the channel memory, so a retry that reaches another replica is still recognised.
/// </summary>
public sealed class SlackDeliveries(IChannelMemory memory)
{
    private const string Scope = "slack-deliveries";
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    /// <summary>Claims every key (event id, message key); false, and nothing claimed, when any was claimed before.</summary>
    public async Task<bool> TryClaimAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            if (!await memory.TryClaimAsync(Scope, keys[i], Retention, cancellationToken))
            {
                for (var j = 0; j < i; j++)
                    await memory.ReleaseAsync(Scope, keys[j], cancellationToken);
                return false;
            }
        }
        return true;
    }

    /// <summary>Releases keys claimed for work that was then refused, so Slack's retry is accepted.</summary>
    public async Task ReleaseAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        foreach (var key in keys)
            await memory.ReleaseAsync(Scope, key, cancellationToken);
    }
}

/// <summary>
/// The channel threads the bot takes part in (it was mentioned there), so replies in them are answered without a
/// new mention. A thread is remembered for a week after its last question, in the channel memory.
/// </summary>
public sealed class SlackThreads(IChannelMemory memory)
{
    private const string Scope = "slack-threads";
    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    /// <summary>Records that the bot answers in the thread <paramref name="threadTs"/>.</summary>
    public Task JoinAsync(string team, string channel, string threadTs, CancellationToken cancellationToken = default)
        => memory.SetAsync(Scope, Key(team, channel, threadTs), "", Retention, cancellationToken);

    /// <summary>True when the bot answers in that thread.</summary>
    public async Task<bool> IsJoinedAsync(string team, string channel, string threadTs, CancellationToken cancellationToken = default)
        => await memory.GetAsync(Scope, Key(team, channel, threadTs), cancellationToken) is not null;

    private static string Key(string team, string channel, string threadTs) => $"{team}:{channel}:{threadTs}";
}
