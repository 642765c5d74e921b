namespace ChatAdvisor.Core.Embeddings;

/// <summary>The "Embeddings" section of appsettings.json: which embedding model turns text into vectors.</summary>
public sealed class EmbeddingsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Embeddings";

    /// <summary>The provider name that selects the in-process BERT encoder.</summary>
    public const string BertProvider = "bert";

    /// <summary>"static" (the default that ships with the project) or "bert" (a sentence-transformers model folder run in-process).</summary>
    public string Provider { get; set; } = "static";

    /// <summary>The model folder for the "bert" provider (config.json, vocab.txt, model.safetensors, 1_Pooling/config.json); relative to the content root.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>True when the BERT encoder is selected.</summary>
    public bool UsesBert => string.Equals(Provider, BertProvider, StringComparison.OrdinalIgnoreCase);
}
