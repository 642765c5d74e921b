using System.ComponentModel.DataAnnotations;

namespace ChatAdvisor.Hosting;

/// <summary>
/// The <c>Embed</c> section: which other sites may put the chat widget on their pages with
/// <c>&lt;script src="…/embed.js" async&gt;&lt;/script&gt;</c>.
/// </summary>
public sealed class EmbedOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Embed";

    /// <summary>
    /// The origins (such as <c>https://docs.example.com</c>) whose pages may show the widget: they may frame the chat
    /// panel (<c>Content-Security-Policy: frame-ancestors</c>) and ask for a chat token from the browser (CORS). Empty:
    /// only the advisor's own origin. Each entry is an exact origin: no path, no trailing slash, no wildcard.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in AllowedOrigins)
        {
            if (BrowserOrigins.Normalize(origin) is null)
                yield return new ValidationResult(
                    $"Embed:AllowedOrigins entry '{origin}' must be an exact origin such as https://docs.example.com (http or https, no path, no trailing slash, no wildcard).",
                    [nameof(AllowedOrigins)]);
        }
    }
}
