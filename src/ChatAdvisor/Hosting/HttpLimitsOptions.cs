using System.ComponentModel.DataAnnotations;

namespace ChatAdvisor.Hosting;

/// <summary>The <c>Http</c> section: limits on what a caller may send.</summary>
public sealed class HttpLimitsOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Http";

    /// <summary>The default body cap: a question or an activity needs kilobytes, not megabytes.</summary>
    public const long DefaultMaxRequestBodyBytes = 64 * 1024;

    /// <summary>
    /// The largest request body accepted by the endpoints that take a question or an activity (<c>/api/ask</c>,
    /// <c>/api/ask/stream</c>, <c>/api/messages</c>, <c>/api/slack/*</c>, Direct Line activities); larger gets 413.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxRequestBodyBytes is < 1024 or > 16 * 1024 * 1024)
            yield return new ValidationResult("Http:MaxRequestBodyBytes must be between 1024 and 16777216 (16 MB).", [nameof(MaxRequestBodyBytes)]);
    }
}
