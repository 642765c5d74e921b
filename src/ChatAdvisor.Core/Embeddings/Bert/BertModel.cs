using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChatAdvisor.Core.Embeddings.Safetensors;

namespace ChatAdvisor.Core.Embeddings.Bert;

/// <summary>
/// A BERT encoder's weights and its forward pass in float32: token + position + type embeddings and LayerNorm,
/// then per layer multi-head self-attention, residual and LayerNorm, a GELU feed-forward block, residual and LayerNorm.
/// </summary>
/// <remarks>
/// A batch is packed: the token rows of every text follow each other with no padding rows, and attention runs
/// per text over that text's own tokens. That is exactly what padding plus an attention mask computes, without
/// spending arithmetic on padding. Immutable; <see cref="Forward"/> is thread-safe (scratch comes from the array pool).
/// </remarks>
internal sealed class BertModel
{
    private readonly float[] _wordEmbeddings;
    private readonly float[] _positionEmbeddings;
    private readonly float[] _typeEmbedding;
    private readonly float[] _embeddingGain;
    private readonly float[] _embeddingBias;
    private readonly Layer[] _layers;
    private readonly bool _vectorizedAttention;

    private sealed record Layer(PackedLinear QueryKeyValue, PackedLinear AttentionOutput, float[] AttentionGain, float[] AttentionBias,
        PackedLinear Intermediate, PackedLinear Output, float[] OutputGain, float[] OutputBias);

    private BertModel(BertConfig config, bool portable, float[] word, float[] position, float[] type, float[] gain, float[] bias, Layer[] layers)
    {
        Config = config;
        _vectorizedAttention = !portable && Fma.IsSupported && config.HeadSize % Vector256<float>.Count == 0;
        _wordEmbeddings = word;
        _positionEmbeddings = position;
        _typeEmbedding = type;
        _embeddingGain = gain;
        _embeddingBias = bias;
        _layers = layers;
    }

    /// <summary>The model's shape.</summary>
    public BertConfig Config { get; }

    /// <summary>Loads the weights named as Hugging Face's BertModel names them (with or without a "bert." prefix).</summary>
    /// <exception cref="InvalidDataException">A tensor is missing or has the wrong shape; the message names the file and tensor.</exception>
    /// <param name="file">The weights.</param>
    /// <param name="config">The model's shape.</param>
    /// <param name="portable">True forces the portable code paths instead of the AVX2/FMA kernels (tests compare both).</param>
    public static BertModel Load(SafetensorsFile file, BertConfig config, bool portable = false)
    {
        var prefix = file.Tensors.ContainsKey("bert.embeddings.word_embeddings.weight") ? "bert." : "";
        var h = config.HiddenSize;

        float[] Read(string name, params long[] shape)
        {
            if (!file.Tensors.TryGetValue(prefix + name, out var tensor))
                throw new InvalidDataException($"{file.Path} has no tensor {prefix + name}; it is not a BERT model of the shape config.json describes.");
            if (!tensor.Shape.SequenceEqual(shape))
                throw new InvalidDataException($"{file.Path}: tensor {prefix + name} has shape [{string.Join(", ", tensor.Shape)}], config.json implies [{string.Join(", ", shape)}].");
            return file.ReadFloats(prefix + name);
        }

        var layers = new Layer[config.LayerCount];
        for (var l = 0; l < layers.Length; l++)
        {
            var p = $"encoder.layer.{l}.";
            // Query, key and value share one product: their weights are stacked into a [3h, h] matrix.
            float[] qkvWeight = [.. Read(p + "attention.self.query.weight", h, h), .. Read(p + "attention.self.key.weight", h, h),
                .. Read(p + "attention.self.value.weight", h, h)];
            float[] qkvBias = [.. Read(p + "attention.self.query.bias", h), .. Read(p + "attention.self.key.bias", h),
                .. Read(p + "attention.self.value.bias", h)];
            layers[l] = new Layer(
                new PackedLinear(qkvWeight, qkvBias, 3 * h, h, !portable),
                new PackedLinear(Read(p + "attention.output.dense.weight", h, h), Read(p + "attention.output.dense.bias", h), h, h, !portable),
                Read(p + "attention.output.LayerNorm.weight", h), Read(p + "attention.output.LayerNorm.bias", h),
                new PackedLinear(Read(p + "intermediate.dense.weight", config.IntermediateSize, h), Read(p + "intermediate.dense.bias", config.IntermediateSize),
                    config.IntermediateSize, h, !portable),
                new PackedLinear(Read(p + "output.dense.weight", h, config.IntermediateSize), Read(p + "output.dense.bias", h), h, config.IntermediateSize, !portable),
                Read(p + "output.LayerNorm.weight", h), Read(p + "output.LayerNorm.bias", h));
        }
        var types = Read("embeddings.token_type_embeddings.weight", config.TypeVocabSize, h);
        return new BertModel(config, portable,
            Read("embeddings.word_embeddings.weight", config.VocabSize, h),
            Read("embeddings.position_embeddings.weight", config.MaxPositions, h),
            types[..h],
            Read("embeddings.LayerNorm.weight", h),
            Read("embeddings.LayerNorm.bias", h),
            layers);
    }

    /// <summary>
    /// Runs the encoder over texts packed row after row: <paramref name="ids"/> holds the token ids of every text,
    /// <paramref name="lengths"/> how many belong to each. Writes the last hidden state, [ids.Length, hidden], to <paramref name="hidden"/>.
    /// </summary>
    public void Forward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, Span<float> hidden)
    {
        var h = Config.HiddenSize;
        var rows = ids.Length;
        var maxLength = 0;
        foreach (var length in lengths)
        {
            if (length > Config.MaxPositions)
                throw new ArgumentException($"A text of {length} tokens exceeds the model's {Config.MaxPositions} positions.", nameof(lengths));
            maxLength = Math.Max(maxLength, length);
        }

        var qkv = ArrayPool<float>.Shared.Rent(rows * 3 * h);
        var context = ArrayPool<float>.Shared.Rent(rows * h);
        var inner = ArrayPool<float>.Shared.Rent(rows * Config.IntermediateSize);
        var scores = ArrayPool<float>.Shared.Rent(maxLength);
        try
        {
            Embed(ids, lengths, hidden);
            foreach (var layer in _layers)
            {
                layer.QueryKeyValue.Apply(hidden, qkv, rows);
                Attend(qkv, lengths, context, scores);
                layer.AttentionOutput.Apply(context, inner, rows);
                AddAndNormalize(inner.AsSpan(0, rows * h), hidden, layer.AttentionGain, layer.AttentionBias);
                layer.Intermediate.Apply(hidden, inner, rows);
                Activations.Gelu(inner.AsSpan(0, rows * Config.IntermediateSize), Config.TanhGelu);
                layer.Output.Apply(inner, context, rows);
                AddAndNormalize(context.AsSpan(0, rows * h), hidden, layer.OutputGain, layer.OutputBias);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(qkv);
            ArrayPool<float>.Shared.Return(context);
            ArrayPool<float>.Shared.Return(inner);
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    private void Embed(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, Span<float> hidden)
    {
        var h = Config.HiddenSize;
        var row = 0;
        foreach (var length in lengths)
        {
            for (var position = 0; position < length; position++, row++)
            {
                var id = ids[row];
                if ((uint)id >= (uint)Config.VocabSize)
                    throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {id} is outside the vocabulary of {Config.VocabSize}.");
                var x = hidden.Slice(row * h, h);
                TensorPrimitives.Add(_wordEmbeddings.AsSpan(id * h, h), _positionEmbeddings.AsSpan(position * h, h), x);
                TensorPrimitives.Add(x, _typeEmbedding, x);
                LayerNorm(x, _embeddingGain, _embeddingBias);
            }
        }
    }

    /// <summary>Multi-head scaled dot-product attention of each text over its own tokens.</summary>
    private void Attend(ReadOnlySpan<float> qkv, ReadOnlySpan<int> lengths, Span<float> context, float[] scoreBuffer)
    {
        if (_vectorizedAttention)
        {
            AttendVectorized(qkv, lengths, context);
            return;
        }
        var h = Config.HiddenSize;
        var d = Config.HeadSize;
        var stride = 3 * h;
        var scale = 1f / MathF.Sqrt(d);
        var first = 0;
        foreach (var length in lengths)
        {
            var scores = scoreBuffer.AsSpan(0, length);
            for (var head = 0; head < Config.HeadCount; head++)
            {
                for (var i = 0; i < length; i++)
                {
                    var query = qkv.Slice((first + i) * stride + head * d, d);
                    for (var j = 0; j < length; j++)
                        scores[j] = TensorPrimitives.Dot(query, qkv.Slice((first + j) * stride + h + head * d, d)) * scale;
                    Softmax(scores);
                    var output = context.Slice((first + i) * h + head * d, d);
                    output.Clear();
                    for (var j = 0; j < length; j++)
                        TensorPrimitives.MultiplyAdd(qkv.Slice((first + j) * stride + 2 * h + head * d, d), scores[j], output, output);
                }
            }
            first += length;
        }
    }

    // Softmax in place, shifted by the maximum so that exp cannot overflow.
    private static void Softmax(Span<float> scores)
    {
        TensorPrimitives.Subtract(scores, TensorPrimitives.Max(scores), scores);
        TensorPrimitives.Exp(scores, scores);
        TensorPrimitives.Multiply(scores, 1f / TensorPrimitives.Sum(scores), scores);
    }

    /// <summary>
    /// The same attention with AVX2/FMA: per text and head, the keys are transposed into [headSize × paddedLength]
    /// so that one query's scores are 8 at a time, and the values gathered into [length × headSize] so that the
    /// weighted sum keeps the head's output in registers.
    /// </summary>
    private unsafe void AttendVectorized(ReadOnlySpan<float> qkv, ReadOnlySpan<int> lengths, Span<float> context)
    {
        var h = Config.HiddenSize;
        var d = Config.HeadSize;
        var stride = 3 * h;
        var scale = Vector256.Create(1f / MathF.Sqrt(d));
        var maxLength = 0;
        foreach (var length in lengths)
            maxLength = Math.Max(maxLength, length);
        var padded = (maxLength + 7) & ~7;
        var keysBuffer = ArrayPool<float>.Shared.Rent(d * padded);
        var valuesBuffer = ArrayPool<float>.Shared.Rent(maxLength * d);
        var scoresBuffer = ArrayPool<float>.Shared.Rent(padded);
        try
        {
            fixed (float* source = qkv)
            fixed (float* output = context)
            fixed (float* keys = keysBuffer)
            fixed (float* values = valuesBuffer)
            fixed (float* scores = scoresBuffer)
            {
                var first = 0;
                foreach (var length in lengths)
                {
                    var width = (length + 7) & ~7;
                    for (var head = 0; head < Config.HeadCount; head++)
                    {
                        for (var j = 0; j < length; j++)
                        {
                            var row = source + (long)(first + j) * stride + head * d;
                            for (var k = 0; k < d; k++)
                                keys[k * width + j] = row[h + k];
                            new ReadOnlySpan<float>(row + 2 * h, d).CopyTo(new Span<float>(values + j * d, d));
                        }
                        for (var k = 0; k < d; k++)
                        {
                            // Padding columns score 0 and are never read back.
                            for (var j = length; j < width; j++)
                                keys[k * width + j] = 0;
                        }
                        for (var i = 0; i < length; i++)
                        {
                            var query = source + (long)(first + i) * stride + head * d;
                            for (var j = 0; j < width; j += 8)
                            {
                                var sum = Vector256<float>.Zero;
                                for (var k = 0; k < d; k++)
                                    sum = Fma.MultiplyAdd(Vector256.Create(query[k]), Avx.LoadVector256(keys + k * width + j), sum);
                                Avx.Store(scores + j, sum * scale);
                            }
                            Softmax(new Span<float>(scores, length));
                            var target = output + (long)(first + i) * h + head * d;
                            for (var c = 0; c < d; c += 8)
                            {
                                var sum = Vector256<float>.Zero;
                                for (var j = 0; j < length; j++)
                                    sum = Fma.MultiplyAdd(Vector256.Create(scores[j]), Avx.LoadVector256(values + j * d + c), sum);
                                Avx.Store(target + c, sum);
                            }
                        }
                    }
                    first += length;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(keysBuffer);
            ArrayPool<float>.Shared.Return(valuesBuffer);
            ArrayPool<float>.Shared.Return(scoresBuffer);
        }
    }

    /// <summary>hidden = LayerNorm(update + hidden), row by row.</summary>
    private void AddAndNormalize(ReadOnlySpan<float> update, Span<float> hidden, float[] gain, float[] bias)
    {
        var h = Config.HiddenSize;
        TensorPrimitives.Add(update, hidden[..update.Length], hidden);
        for (var row = 0; row < update.Length / h; row++)
            LayerNorm(hidden.Slice(row * h, h), gain, bias);
    }

    private void LayerNorm(Span<float> x, float[] gain, float[] bias)
    {
        var mean = TensorPrimitives.Sum(x) / x.Length;
        TensorPrimitives.Subtract(x, mean, x);
        var variance = TensorPrimitives.SumOfSquares(x) / x.Length;
        TensorPrimitives.Multiply(x, 1f / MathF.Sqrt(variance + Config.LayerNormEps), x);
        TensorPrimitives.MultiplyAdd(x, gain, bias, x);
    }
}

/// <summary>The activation functions BERT configurations name.</summary>
internal static class Activations
{
    /// <summary>GELU in place: exact (x·Φ(x), through erf) or the tanh approximation that "gelu_new" models were trained with.</summary>
    public static void Gelu(Span<float> values, bool tanhApproximation)
    {
        if (tanhApproximation)
        {
            const float c = 0.7978845608f; // sqrt(2 / pi)
            foreach (ref var v in values)
                v = 0.5f * v * (1f + MathF.Tanh(c * (v + 0.044715f * v * v * v)));
            return;
        }
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= values.Length; i += Vector256<float>.Count)
            {
                var slice = values.Slice(i, Vector256<float>.Count);
                GeluVector(Vector256.Create<float>(slice)).CopyTo(slice);
            }
        }
        for (; i < values.Length; i++)
            values[i] = 0.5f * values[i] * (1f + Erf(values[i] * 0.70710678f));
    }

    // erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, under float32's resolution near 1).
    private const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;

    private static Vector256<float> GeluVector(Vector256<float> x)
    {
        var z = Vector256.Abs(x) * Vector256.Create(0.70710678f);
        var t = Vector256<float>.One / (Vector256<float>.One + Vector256.Create(P) * z);
        var poly = ((((Vector256.Create(A5) * t + Vector256.Create(A4)) * t + Vector256.Create(A3)) * t + Vector256.Create(A2)) * t + Vector256.Create(A1)) * t;
        var erfAbs = Vector256<float>.One - poly * Vector256.Exp(-(z * z));
        var erf = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -erfAbs, erfAbs);
        return Vector256.Create(0.5f) * x * (Vector256<float>.One + erf);
    }

    private static float Erf(float x)
    {
        var z = MathF.Abs(x);
        var t = 1f / (1f + P * z);
        var y = 1f - ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t * MathF.Exp(-z * z);
        return x < 0 ? -y : y;
    }
}
