using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;


namespace ChatAdvisor.Core.Embeddings;

/// <summary>
/// A BERT-family sentence-embedding model run in-process by ONNX Runtime, tokenized by <see cref="BertTextTokenizer"/>
/// (ML.Tokenizers' WordPiece): the recipe of SmartComponents.LocalEmbeddings, behind the standard
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>. Vectors are pooled as the model says (CLS or mean) and L2-normalised.
/// Queries (<see cref="EmbeddingInput.ForQuery"/>) get the model's query prefix; passages are embedded as they are.
/// </summary>
/// <remarks>
/// Thread-safe: <see cref="InferenceSession.Run(RunOptions, IReadOnlyDictionary{string, OrtValue}, IReadOnlyCollection{string})"/>
/// may be called concurrently. The session is created on first use or by <see cref="LoadAsync"/> (the warm-up), never in
/// the constructor. Texts are sorted by length and embedded in batches of similar length, so padding costs little.
/// Each model call runs on its caller's thread alone (no intra-op thread pool): a server answering many questions at
/// once gets its parallelism from the requests, where a shared pool of spinning threads would make them compete;
/// indexing runs several batches at once instead (<see cref="EmbeddingsOptions.Threads"/>).
/// </remarks>
public sealed class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingsOptions _options;
    private readonly ILogger _logger;
    private readonly Lazy<Loaded> _loaded;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private string? _loadProblem;

    private sealed record Loaded(InferenceSession Session, bool HasTokenTypes, string OutputName, int Dimensions);

    /// <summary>Creates the generator; nothing is loaded until the first text is embedded or <see cref="LoadAsync"/> is called.</summary>
    public OnnxEmbeddingGenerator(EmbeddingModel model, BertTextTokenizer tokenizer, EmbeddingsOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(options);
        Model = model;
        Tokenizer = tokenizer;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        QueryPrefix = options.QueryPrefix ?? model.QueryPrefix;
        _loaded = new Lazy<Loaded>(Load, LazyThreadSafetyMode.ExecutionAndPublication);
        _metadata = new EmbeddingGeneratorMetadata("onnxruntime", providerUri: null, defaultModelId: model.Id);
    }

    /// <summary>The model.</summary>
    public EmbeddingModel Model { get; }

    /// <summary>The model's tokenizer.</summary>
    public BertTextTokenizer Tokenizer { get; }

    /// <summary>What a query is prefixed with.</summary>
    public string QueryPrefix { get; }

    /// <summary>The length of every vector (loads the model).</summary>
    public int Dimensions => _loaded.Value.Dimensions;

    /// <summary>Loads the model now (on a pool thread), so the first question does not wait for it.</summary>
    public Task LoadAsync(CancellationToken cancellationToken = default)
        => _loaded.IsValueCreated ? Task.CompletedTask : Task.Run(() => _ = _loaded.Value, cancellationToken);

    private Loaded Load()
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var graph = Model.ReadGraph();
            using var sessionOptions = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            };
            var session = new InferenceSession(graph, sessionOptions);
            foreach (var required in new[] { "input_ids", "attention_mask" })
            {
                if (!session.InputMetadata.ContainsKey(required))
                    throw new InvalidDataException($"The model {Model.Name} has no '{required}' input; it is not a BERT-family encoder.");
            }
            var output = session.OutputMetadata.ContainsKey("last_hidden_state") ? "last_hidden_state" : session.OutputNames[0];
            var dimensions = session.OutputMetadata[output].Dimensions[^1];
            if (dimensions <= 0)
                throw new InvalidDataException($"The model {Model.Name}'s output '{output}' has no fixed hidden size.");
            EmbeddingsLog.ModelLoaded(_logger, Model.Name, dimensions, Model.Pooling.ToString(), graph.Length, watch.ElapsedMilliseconds);
            _loadProblem = null;
            return new Loaded(session, session.InputMetadata.ContainsKey("token_type_ids"), output, dimensions);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or OnnxRuntimeException or UnauthorizedAccessException)
        {
            _loadProblem = exception.Message;
            EmbeddingsLog.ModelLoadFailed(_logger, Model.Name, exception);
            throw;
        }
    }

    /// <summary>Embeds <paramref name="texts"/>: one unit-length vector each, in order.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, bool query = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var tokens = new int[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
            tokens[i] = Encode(query ? QueryPrefix + texts[i] : texts[i] ?? "");
        return EmbedTokens(tokens, cancellationToken);
    }

    /// <summary>The ids the model reads for <paramref name="text"/>: [CLS], the text's tokens (cut to fit), [SEP].</summary>
    public int[] Encode(string text)
    {
        var ids = Tokenizer.EncodeToIds(text);
        var length = Math.Min(ids.Count, _options.MaxTokens - 2);
        var result = new int[length + 2];
        result[0] = Tokenizer.ClassificationTokenId;
        for (var i = 0; i < length; i++)
            result[i + 1] = ids[i];
        result[^1] = Tokenizer.SeparatorTokenId;
        return result;
    }

    /// <summary>Embeds already tokenized texts (each starting with [CLS] and ending with [SEP]).</summary>
    public float[][] EmbedTokens(IReadOnlyList<int[]> tokenIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        var loaded = _loaded.Value;
        var result = new float[tokenIds.Count][];
        // Longest first, so each batch pads to a length close to its own texts'; ties keep the input order.
        var order = Enumerable.Range(0, tokenIds.Count).OrderByDescending(i => tokenIds[i].Length).ThenBy(i => i).ToArray();
        var batches = (order.Length + _options.BatchSize - 1) / _options.BatchSize;
        var parallelism = Math.Min(batches, _options.Threads > 0 ? _options.Threads : Environment.ProcessorCount);
        if (parallelism <= 1)
        {
            for (var b = 0; b < batches; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                EmbedBatch(loaded, tokenIds, BatchOf(order, b), result);
            }
            return result;
        }
        // Each batch writes its own slots of the result, so batches can run at once. They are handed out one at a time:
        // the longest come first, and ranges of them would leave one thread with all the long ones.
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(Enumerable.Range(0, batches), System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            b => EmbedBatch(loaded, tokenIds, BatchOf(order, b), result));
        return result;
    }

    private ReadOnlySpan<int> BatchOf(int[] order, int batch)
        => order.AsSpan(batch * _options.BatchSize, Math.Min(_options.BatchSize, order.Length - batch * _options.BatchSize));

    private void EmbedBatch(Loaded loaded, IReadOnlyList<int[]> tokenIds, ReadOnlySpan<int> batch, float[][] result)
    {
        var width = tokenIds[batch[0]].Length;
        var ids = new long[batch.Length * width];
        var mask = new long[batch.Length * width];
        for (var row = 0; row < batch.Length; row++)
        {
            var sequence = tokenIds[batch[row]];
            if (sequence.Length == 0)
                throw new ArgumentException("A token sequence is empty; it must hold at least [CLS] and [SEP].", nameof(tokenIds));
            for (var t = 0; t < sequence.Length; t++)
            {
                ids[row * width + t] = sequence[t];
                mask[row * width + t] = 1;
            }
            // Padding positions keep id 0 ([PAD]) and mask 0.
        }
        long[] shape = [batch.Length, width];
        using var inputIds = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var attention = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var types = loaded.HasTokenTypes ? OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape) : null;
        var inputs = new Dictionary<string, OrtValue> { ["input_ids"] = inputIds, ["attention_mask"] = attention };
        if (types is not null)
            inputs["token_type_ids"] = types;
        using var runOptions = new RunOptions();
        using var outputs = loaded.Session.Run(runOptions, inputs, [loaded.OutputName]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var h = loaded.Dimensions;
        for (var row = 0; row < batch.Length; row++)
        {
            var length = tokenIds[batch[row]].Length;
            var tokens = hidden.Slice(row * width * h, length * h);
            var vector = new float[h];
            if (Model.Pooling == EmbeddingPooling.Cls)
            {
                tokens[..h].CopyTo(vector);
            }
            else
            {
                for (var t = 0; t < length; t++)
                    TensorPrimitives.Add(vector, tokens.Slice(t * h, h), vector);
            }
            // The mean's division is absorbed by normalising to unit length.
            var norm = TensorPrimitives.Norm(vector);
            if (norm > 0)
                TensorPrimitives.Divide(vector, norm, vector);
            result[batch[row]] = vector;
        }
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? [.. values];
        var vectors = Embed(texts, EmbeddingInput.IsQuery(options), cancellationToken);
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        var created = DateTimeOffset.UtcNow;
        foreach (var vector in vectors)
            embeddings.Add(new Embedding<float>(vector) { ModelId = Model.Id, CreatedAt = created });
        return Task.FromResult(embeddings);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => GeneratorServices.Get(this, _metadata, serviceType, serviceKey);

    /// <summary>Whether the model is loaded, loading or failed, as <c>/readyz</c> shows it.</summary>
    public ComponentStatus GetStatus()
        => _loadProblem is { } problem ? new ComponentStatus(false, $"{Model.Name} could not be loaded: {problem}")
            : _loaded.IsValueCreated ? new ComponentStatus(true, $"{Model.Name}, {_loaded.Value.Dimensions} dimensions, {Model.Pooling} pooling")
            : new ComponentStatus(false, $"{Model.Name} is loading");

    /// <summary>Releases the ONNX Runtime session; calling it again does nothing.</summary>
    public void Dispose()
    {
        if (_loaded.IsValueCreated)
            _loaded.Value.Session.Dispose();
    }
}
