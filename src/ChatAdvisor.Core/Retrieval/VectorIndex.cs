using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace ChatAdvisor.Core.Retrieval;

/// <summary>
/// Chunk embeddings for nearest-neighbour search, kept as int8 with one float32 scale per row
/// (dimensions + 4 bytes per chunk). A search scores every row with an int8 dot product against the
/// quantised query, then the caller re-scores the best candidates in float32 (see <see cref="Retriever"/>).
/// </summary>
/// <remarks>Immutable after construction; searching is thread-safe.</remarks>
public sealed class VectorIndex
{
    private readonly sbyte[] _rows;
    private readonly float[] _scales;

    private VectorIndex(string modelId, int dimensions, sbyte[] rows, float[] scales)
    {
        ModelId = modelId;
        Dimensions = dimensions;
        _rows = rows;
        _scales = scales;
    }

    /// <summary>The embedding model the vectors come from (an index built with another model is stale).</summary>
    public string ModelId { get; }

    /// <summary>Length of each vector.</summary>
    public int Dimensions { get; }

    /// <summary>The number of vectors (vector i is chunk i).</summary>
    public int Count => _scales.Length;

    /// <summary>Bytes the vectors take in memory.</summary>
    public long MemoryBytes => _rows.LongLength + _scales.LongLength * sizeof(float);

    /// <summary>Quantises unit-length (or zero) float vectors; vector i is chunk i.</summary>
    public static VectorIndex Build(string modelId, int dimensions, IReadOnlyList<ReadOnlyMemory<float>> vectors)
    {
        var rows = new sbyte[vectors.Count * dimensions];
        var scales = new float[vectors.Count];
        for (int i = 0; i < vectors.Count; i++)
        {
            if (vectors[i].Length != dimensions)
                throw new ArgumentException($"Vector {i} has {vectors[i].Length} dimensions, expected {dimensions}.", nameof(vectors));
            scales[i] = Quantize(vectors[i].Span, rows.AsSpan(i * dimensions, dimensions));
        }
        return new VectorIndex(modelId, dimensions, rows, scales);
    }

    /// <summary>Writes <paramref name="source"/> as int8 into <paramref name="destination"/> and returns the scale (max |x| / 127).</summary>
    public static float Quantize(ReadOnlySpan<float> source, Span<sbyte> destination)
    {
        float max = source.Length == 0 ? 0 : TensorPrimitives.MaxMagnitude(source);
        float absMax = MathF.Abs(max);
        if (absMax == 0)
        {
            destination.Clear();
            return 0;
        }
        float inverse = 127f / absMax;
        for (int d = 0; d < source.Length; d++)
            destination[d] = (sbyte)Math.Clamp(MathF.Round(source[d] * inverse), -127, 127);
        return absMax / 127f;
    }

    /// <summary>
    /// The <paramref name="k"/> rows with the highest approximate dot product with <paramref name="query"/>
    /// (positive scores only), best first; ties go to the lower index.
    /// </summary>
    public IReadOnlyList<(int Document, float Score)> Search(ReadOnlySpan<float> query, int k)
    {
        if (query.Length != Dimensions)
            throw new ArgumentException($"The query has {query.Length} dimensions, the index {Dimensions}.", nameof(query));
        var quantized = new sbyte[Dimensions];
        float queryScale = Quantize(query, quantized);
        var scores = new float[Count];
        if (queryScale > 0)
        {
            for (int i = 0; i < scores.Length; i++)
                scores[i] = DotInt8(_rows.AsSpan(i * Dimensions, Dimensions), quantized) * _scales[i] * queryScale;
        }
        return TopK.Select(scores, k);
    }

    /// <summary>
    /// The dot product of a float32 <paramref name="query"/> with the de-quantised row <paramref name="document"/>: only the
    /// row's rounding error remains (about 1e-3 on unit vectors of 384 dimensions).
    /// </summary>
    public float Rescore(ReadOnlySpan<float> query, int document)
    {
        if (query.Length != Dimensions)
            throw new ArgumentException($"The query has {query.Length} dimensions, the index {Dimensions}.", nameof(query));
        var row = _rows.AsSpan(document * Dimensions, Dimensions);
        float sum = 0;
        for (int d = 0; d < row.Length; d++)
            sum += query[d] * row[d];
        return sum * _scales[document];
    }

    /// <summary>The approximate cosine of two indexed vectors (both unit length before quantisation).</summary>
    public float Similarity(int a, int b)
        => DotInt8(_rows.AsSpan(a * Dimensions, Dimensions), _rows.AsSpan(b * Dimensions, Dimensions)) * _scales[a] * _scales[b];

    /// <summary>Integer dot product of two int8 vectors, widened to avoid overflow (127 × 127 × dims fits an int).</summary>
    internal static int DotInt8(ReadOnlySpan<sbyte> x, ReadOnlySpan<sbyte> y)
    {
        int i = 0, sum = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<sbyte>.Count)
        {
            var acc = Vector256<int>.Zero;
            for (; i <= x.Length - Vector256<sbyte>.Count; i += Vector256<sbyte>.Count)
            {
                var (xLo, xHi) = Vector256.Widen(Vector256.Create(x.Slice(i, Vector256<sbyte>.Count)));
                var (yLo, yHi) = Vector256.Widen(Vector256.Create(y.Slice(i, Vector256<sbyte>.Count)));
                // |x·y| ≤ 16,129 fits a short; the two products of a pair are widened before they are summed.
                var (p0, p1) = Vector256.Widen(xLo * yLo);
                var (p2, p3) = Vector256.Widen(xHi * yHi);
                acc += (p0 + p1) + (p2 + p3);
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < x.Length; i++)
            sum += x[i] * y[i];
        return sum;
    }

    /// <summary>Writes the index.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(ModelId);
        writer.Write(Dimensions);
        writer.Write(Count);
        foreach (var scale in _scales)
            writer.Write(scale);
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_rows.AsSpan()));
    }

    /// <summary>Reads an index written by <see cref="Write"/>.</summary>
    public static VectorIndex Read(BinaryReader reader)
    {
        var modelId = reader.ReadString();
        int dimensions = reader.ReadInt32();
        int count = reader.ReadInt32();
        if (dimensions <= 0 || count < 0)
            throw new FormatException("bad vector index header");
        var scales = new float[count];
        for (int i = 0; i < count; i++)
            scales[i] = reader.ReadSingle();
        var rows = new sbyte[checked(count * dimensions)];
        if (reader.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(rows.AsSpan())) != rows.Length)
            throw new EndOfStreamException("vector index truncated");
        return new VectorIndex(modelId, dimensions, rows, scales);
    }
}
