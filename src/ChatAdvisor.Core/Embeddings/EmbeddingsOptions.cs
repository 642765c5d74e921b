using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>The "Embeddings" section of appsettings.json: which embedding model turns text into vectors.</summary>
public sealed class EmbeddingsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Embeddings";

    /// <summary>The provider name of the static word embedding that ships with the project (no download).</summary>
    public const string StaticProvider = "static";

    /// <summary>The provider name that selects the in-process BERT encoder.</summary>
    public const string BertProvider = "bert";

    /// <summary>"static" (the default that ships with the project) or "bert" (a sentence-transformers model folder run in-process).</summary>
    public string Provider { get; set; } = StaticProvider;

    /// <summary>The model folder for the "bert" provider (config.json, vocab.txt, model.safetensors, 1_Pooling/config.json); relative to the content root.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>
    /// The static embedding file (built by <c>tools/static-embedding/build.py</c>) for the "static" provider;
    /// relative to the content root.
    /// </summary>
    public string StaticModelPath { get; set; } = "models/static/chatadvisor-static.bin";

    /// <summary>True when the BERT encoder is selected.</summary>
    public bool UsesBert => string.Equals(Provider, BertProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the shipped static embedding is selected.</summary>
    public bool UsesStaticProvider => string.Equals(Provider, StaticProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks the section's invariants; each message names the setting.</summary>
    internal sealed class Validator : IValidateOptions<EmbeddingsOptions>
    {
        public ValidateOptionsResult Validate(string? name, EmbeddingsOptions options)
        {
            if (!options.UsesStaticProvider && !options.UsesBert)
                return ValidateOptionsResult.Fail($"Embeddings:Provider must be \"{StaticProvider}\" or \"{BertProvider}\" (it is \"{options.Provider}\").");
            if (options.UsesStaticProvider && string.IsNullOrWhiteSpace(options.StaticModelPath))
                return ValidateOptionsResult.Fail("Embeddings:StaticModelPath must name the static embedding file when Embeddings:Provider is \"static\".");
            return ValidateOptionsResult.Success;
        }
    }
}
