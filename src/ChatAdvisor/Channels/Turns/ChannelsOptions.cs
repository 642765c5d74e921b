using System.ComponentModel.DataAnnotations;

namespace ChatAdvisor.Channels;

/// <summary>
/// The <c>Channels</c> section of appsettings.json: the limits of the one work queue that answers every channel's
/// conversations (Teams and other Bot Framework channels, Web Chat through Direct Line, Slack).
/// </summary>
public sealed class ChannelsOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Channels";

    /// <summary>How many conversations are answered at the same time; turns within one conversation always run in order.</summary>
    public int MaxConcurrentTurns { get; set; } = 4;

    /// <summary>How many accepted turns may wait in all before new ones are refused (the channel then retries or says so).</summary>
    public int QueueCapacity { get; set; } = 200;

    /// <summary>How many turns one conversation may have waiting, so one client cannot queue unbounded work.</summary>
    public int MaxPendingPerConversation { get; set; } = 10;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxConcurrentTurns is < 1 or > 64)
            yield return new ValidationResult($"Channels:MaxConcurrentTurns must be between 1 and 64 (got {MaxConcurrentTurns}).", [nameof(MaxConcurrentTurns)]);
        if (QueueCapacity is < 1 or > 100_000)
            yield return new ValidationResult($"Channels:QueueCapacity must be between 1 and 100000 (got {QueueCapacity}).", [nameof(QueueCapacity)]);
        if (MaxPendingPerConversation < 1 || MaxPendingPerConversation > QueueCapacity)
            yield return new ValidationResult($"Channels:MaxPendingPerConversation must be between 1 and Channels:QueueCapacity (got {MaxPendingPerConversation}).", [nameof(MaxPendingPerConversation)]);
    }
}
