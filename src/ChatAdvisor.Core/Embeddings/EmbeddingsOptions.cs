using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>The <c>Embeddings</c> section: which embedding turns passages and questions into vectors.</summary>
public sealed class EmbeddingsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Embeddings";

    /// <summary>The provider that ships with the project (no download): a static word embedding.</summary>
    public const string StaticProvider = "static";

    /// <summary>
    /// The embedding provider. <c>static</c> (default) is the word embedding the project builds and ships in
    /// <see cref="StaticModelPath"/>.
    /// </summary>
    public string Provider { get; set; } = StaticProvider;

    /// <summary>
    /// The static embedding file (built by <c>tools/static-embedding/build.py</c>); relative paths resolve
    /// against the content root.
    /// </summary>
    public string StaticModelPath { get; set; } = "models/static/chatadvisor-static.bin";

    /// <summary>True when <see cref="Provider"/> selects the shipped static embedding.</summary>
    public bool UsesStaticProvider => string.Equals(Provider, StaticProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks the section's invariants; each message names the setting.</summary>
    internal sealed class Validator : IValidateOptions<EmbeddingsOptions>
    {
        public ValidateOptionsResult Validate(string? name, EmbeddingsOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.Provider))
                return ValidateOptionsResult.Fail("Embeddings:Provider must name an embedding provider, for example 'static'.");
            if (options.UsesStaticProvider && string.IsNullOrWhiteSpace(options.StaticModelPath))
                return ValidateOptionsResult.Fail("Embeddings:StaticModelPath must name the static embedding file when Embeddings:Provider is 'static'.");
            return ValidateOptionsResult.Success;
        }
    }
}
