using System.Buffers;
using System.Numerics.Tensors;
using System.Text.Json;
using ChatAdvisor.Core.Embeddings.Bert;
using ChatAdvisor.Core.Embeddings.Safetensors;
using ChatAdvisor.Core.Embeddings.WordPiece;
using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>
/// A sentence-transformers BERT model (all-MiniLM-L6-v2, bge-micro-v2, …) run in-process in pure C#:
/// WordPiece tokenization, the encoder on <see cref="TensorPrimitives"/> and a packed matrix kernel, mean or CLS
/// pooling as the model's 1_Pooling/config.json says, then L2 normalisation.
/// </summary>
/// <remarks>
/// Thread-safe: the model is immutable and each call takes its scratch buffers from the array pool. Each call
/// runs on the calling thread; texts are encoded in packed batches of up to <see cref="BatchSize"/>.
/// </remarks>
public sealed class BertEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The files a model folder must contain.</summary>
    public static readonly IReadOnlyList<string> RequiredFiles = ["config.json", "vocab.txt", "model.safetensors", Path.Combine("1_Pooling", "config.json")];

    private readonly BertModel _model;
    private readonly EmbeddingGeneratorMetadata _metadata;

    private BertEmbeddingGenerator(string folder, BertModel model, WordPieceTokenizer tokenizer, BertPooling pooling, int maxTokens, int batchSize)
    {
        ModelFolder = folder;
        _model = model;
        Tokenizer = tokenizer;
        Pooling = pooling;
        MaxTokens = maxTokens;
        BatchSize = batchSize;
        _metadata = new EmbeddingGeneratorMetadata("chatadvisor-bert", null, Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), model.Config.HiddenSize);
    }

    /// <summary>The folder the model was loaded from.</summary>
    public string ModelFolder { get; }

    /// <summary>The model's tokenizer; it also counts tokens for the chunker.</summary>
    public WordPieceTokenizer Tokenizer { get; }

    /// <summary>The model's shape.</summary>
    public BertConfig Config => _model.Config;

    /// <summary>How token vectors become the sentence vector.</summary>
    public BertPooling Pooling { get; }

    /// <summary>Texts are cut to this many tokens, [CLS] and [SEP] included.</summary>
    public int MaxTokens { get; }

    /// <summary>The most texts encoded in one packed batch.</summary>
    public int BatchSize { get; }

    /// <summary>The length of every embedding.</summary>
    public int Dimensions => _model.Config.HiddenSize;

    /// <summary>
    /// Loads a sentence-transformers model folder: config.json, vocab.txt, model.safetensors, 1_Pooling/config.json,
    /// and optionally sentence_bert_config.json (max_seq_length) and tokenizer_config.json (do_lower_case).
    /// </summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="pooling">Overrides the pooling the folder's 1_Pooling/config.json asks for.</param>
    /// <param name="batchSize">The most texts encoded together.</param>
    /// <exception cref="FileNotFoundException">The folder lacks a required file; the message names every missing file.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the weights are truncated; the message names the file.</exception>
    public static BertEmbeddingGenerator Load(string folder, BertPooling? pooling = null, int batchSize = 32) =>
        Load(folder, pooling, batchSize, portable: false);

    /// <summary>As <see cref="Load(string, BertPooling?, int)"/>; <paramref name="portable"/> forces the code paths used without AVX2/FMA.</summary>
    internal static BertEmbeddingGenerator Load(string folder, BertPooling? pooling, int batchSize, bool portable)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var missing = RequiredFiles.Select(name => Path.Combine(folder, name)).Where(path => !File.Exists(path)).ToList();
        if (missing.Count > 0)
        {
            throw new FileNotFoundException(
                $"The model folder {folder} is incomplete: missing {string.Join(", ", missing)}. " +
                "Run `ChatAdvisor models download <name>` or point Embeddings:ModelPath at a sentence-transformers model folder.",
                missing[0]);
        }

        var config = BertConfig.Load(Path.Combine(folder, "config.json"));
        var weights = SafetensorsFile.Open(Path.Combine(folder, "model.safetensors"));
        var model = BertModel.Load(weights, config, portable);
        var tokenizer = WordPieceTokenizer.FromVocabularyFile(Path.Combine(folder, "vocab.txt"), ReadLowercase(folder));
        if (tokenizer.VocabularySize != config.VocabSize)
            throw new InvalidDataException($"{Path.Combine(folder, "vocab.txt")} has {tokenizer.VocabularySize} tokens but config.json says vocab_size {config.VocabSize}.");
        var maxTokens = Math.Min(config.MaxPositions, ReadMaxSequenceLength(folder) ?? config.MaxPositions);
        return new BertEmbeddingGenerator(folder, model, tokenizer, pooling ?? ReadPooling(folder), maxTokens, batchSize);
    }

    /// <summary>Embeds <paramref name="texts"/>: one unit-length vector each, in order.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return EmbedTokens([.. texts.Select(text => Tokenizer.Encode(text, MaxTokens).Ids)], cancellationToken);
    }

    /// <summary>Embeds already tokenized texts (each starting with [CLS] and ending with [SEP]).</summary>
    public float[][] EmbedTokens(IReadOnlyList<int[]> tokenIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        var result = new float[tokenIds.Count][];
        var h = Dimensions;
        for (var start = 0; start < tokenIds.Count; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = Math.Min(BatchSize, tokenIds.Count - start);
            var rows = 0;
            for (var i = 0; i < batch; i++)
                rows += tokenIds[start + i].Length;
            var ids = ArrayPool<int>.Shared.Rent(rows);
            var lengths = ArrayPool<int>.Shared.Rent(batch);
            var hidden = ArrayPool<float>.Shared.Rent(rows * h);
            try
            {
                var row = 0;
                for (var i = 0; i < batch; i++)
                {
                    var sequence = tokenIds[start + i];
                    if (sequence.Length == 0)
                        throw new ArgumentException("A token sequence is empty; it must hold at least [CLS] and [SEP].", nameof(tokenIds));
                    sequence.CopyTo(ids, row);
                    lengths[i] = sequence.Length;
                    row += sequence.Length;
                }
                _model.Forward(ids.AsSpan(0, rows), lengths.AsSpan(0, batch), hidden.AsSpan(0, rows * h));
                row = 0;
                for (var i = 0; i < batch; i++)
                {
                    var vector = new float[h];
                    var tokens = hidden.AsSpan(row * h, lengths[i] * h);
                    if (Pooling == BertPooling.Cls)
                    {
                        tokens[..h].CopyTo(vector);
                    }
                    else
                    {
                        for (var t = 0; t < lengths[i]; t++)
                            TensorPrimitives.Add(vector, tokens.Slice(t * h, h), vector);
                    }
                    // The mean's division is absorbed by normalising to unit length.
                    TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
                    result[start + i] = vector;
                    row += lengths[i];
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(ids);
                ArrayPool<int>.Shared.Return(lengths);
                ArrayPool<float>.Shared.Return(hidden);
            }
        }
        return result;
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? [.. values];
        var vectors = Embed(texts, cancellationToken);
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        var created = DateTimeOffset.UtcNow;
        foreach (var vector in vectors)
            embeddings.Add(new Embedding<float>(vector) { ModelId = _metadata.DefaultModelId, CreatedAt = created });
        return Task.FromResult(embeddings);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
        => EmbeddingGeneratorServices.Get(this, _metadata, serviceType, serviceKey);

    /// <summary>Nothing to release: the weights are managed arrays.</summary>
    public void Dispose()
    {
    }

    private static BertPooling ReadPooling(string folder)
    {
        var path = Path.Combine(folder, "1_Pooling", "config.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        bool Flag(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
        if (Flag("pooling_mode_cls_token"))
            return BertPooling.Cls;
        if (Flag("pooling_mode_mean_tokens"))
            return BertPooling.Mean;
        throw new InvalidDataException($"{path} asks for a pooling mode other than mean or CLS, which is not supported.");
    }

    private static int? ReadMaxSequenceLength(string folder)
    {
        var path = Path.Combine(folder, "sentence_bert_config.json");
        if (!File.Exists(path))
            return null;
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.TryGetProperty("max_seq_length", out var value) && value.TryGetInt32(out var length) ? length : null;
    }

    private static bool ReadLowercase(string folder)
    {
        var path = Path.Combine(folder, "tokenizer_config.json");
        if (!File.Exists(path))
            return true;
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return !document.RootElement.TryGetProperty("do_lower_case", out var value) || value.ValueKind != JsonValueKind.False;
    }
}
