using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace ChatAdvisor.Core.Retrieval;

/// <summary>
/// Chunk embeddings for nearest-neighbour search, kept as int8 with one float32 scale per row (dimensions + 4 bytes a
/// row). A chunk has several rows: the embedding of its whole text first, then one per passage inside it (a sentence, a
/// list item, a table row), and scores as its best row. A question worded unlike the chunk as a whole often matches one
/// of its sentences closely. A search scores every row with an int8 dot product against the quantised query; the caller
/// then re-scores the best chunks with the float query (<see cref="Rescore"/>).
/// </summary>
/// <remarks>Immutable after construction; searching is thread-safe.</remarks>
public sealed class VectorIndex
{
    private readonly sbyte[] _rows;
    private readonly float[] _scales;
    private readonly int[] _firstRow;

    private VectorIndex(string modelId, int dimensions, sbyte[] rows, float[] scales, int[] firstRow)
    {
        ModelId = modelId;
        Dimensions = dimensions;
        _rows = rows;
        _scales = scales;
        _firstRow = firstRow;
    }

    /// <summary>The embedding model the vectors come from (an index built with another model is stale).</summary>
    public string ModelId { get; }

    /// <summary>Length of each vector.</summary>
    public int Dimensions { get; }

    /// <summary>The number of chunks (chunk i owns rows <c>firstRow[i]</c> up to <c>firstRow[i + 1]</c>).</summary>
    public int Count => _firstRow.Length - 1;

    /// <summary>The number of rows, all chunks together.</summary>
    public int RowCount => _scales.Length;

    /// <summary>Bytes the vectors take in memory.</summary>
    public long MemoryBytes => _rows.LongLength + _scales.LongLength * sizeof(float) + _firstRow.LongLength * sizeof(int);

    /// <summary>Quantises unit-length (or zero) float vectors, one per chunk; vector i is chunk i.</summary>
    public static VectorIndex Build(string modelId, int dimensions, IReadOnlyList<ReadOnlyMemory<float>> vectors)
        => Build(modelId, dimensions, [.. vectors.Select(v => (IReadOnlyList<ReadOnlyMemory<float>>)[v])]);

    /// <summary>
    /// Quantises unit-length (or zero) float vectors: <paramref name="rowsPerChunk"/>[i] are chunk i's rows, the whole chunk's
    /// vector first (it stands for the chunk in <see cref="Similarity"/>).
    /// </summary>
    public static VectorIndex Build(string modelId, int dimensions, IReadOnlyList<IReadOnlyList<ReadOnlyMemory<float>>> rowsPerChunk)
    {
        var firstRow = new int[rowsPerChunk.Count + 1];
        for (int i = 0; i < rowsPerChunk.Count; i++)
        {
            if (rowsPerChunk[i].Count == 0)
                throw new ArgumentException($"Chunk {i} has no vector.", nameof(rowsPerChunk));
            firstRow[i + 1] = firstRow[i] + rowsPerChunk[i].Count;
        }
        var rows = new sbyte[firstRow[^1] * dimensions];
        var scales = new float[firstRow[^1]];
        for (int i = 0; i < rowsPerChunk.Count; i++)
        {
            for (int r = 0; r < rowsPerChunk[i].Count; r++)
            {
                var vector = rowsPerChunk[i][r];
                if (vector.Length != dimensions)
                    throw new ArgumentException($"A vector of chunk {i} has {vector.Length} dimensions, expected {dimensions}.", nameof(rowsPerChunk));
                int row = firstRow[i] + r;
                scales[row] = Quantize(vector.Span, rows.AsSpan(row * dimensions, dimensions));
            }
        }
        return new VectorIndex(modelId, dimensions, rows, scales, firstRow);
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
    /// The <paramref name="k"/> chunks with the highest approximate dot product of <paramref name="query"/> with one of their
    /// rows (positive scores only), best first; ties go to the lower index.
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
            for (int chunk = 0; chunk < scores.Length; chunk++)
            {
                float best = float.NegativeInfinity;
                for (int row = _firstRow[chunk]; row < _firstRow[chunk + 1]; row++)
                    best = Math.Max(best, DotInt8(_rows.AsSpan(row * Dimensions, Dimensions), quantized) * _scales[row]);
                scores[chunk] = best * queryScale;
            }
        }
        return TopK.Select(scores, k);
    }

    /// <summary>
    /// The best dot product of a float32 <paramref name="query"/> with the de-quantised rows of chunk
    /// <paramref name="document"/>: only the rows' rounding error remains (about 1e-3 on unit vectors of 384 dimensions).
    /// </summary>
    public float Rescore(ReadOnlySpan<float> query, int document)
    {
        if (query.Length != Dimensions)
            throw new ArgumentException($"The query has {query.Length} dimensions, the index {Dimensions}.", nameof(query));
        float best = float.NegativeInfinity;
        for (int row = _firstRow[document]; row < _firstRow[document + 1]; row++)
        {
            var values = _rows.AsSpan(row * Dimensions, Dimensions);
            float sum = 0;
            for (int d = 0; d < values.Length; d++)
                sum += query[d] * values[d];
            best = Math.Max(best, sum * _scales[row]);
        }
        return best;
    }

    /// <summary>The number of rows chunk <paramref name="document"/> has (its whole text, then its passages).</summary>
    public int RowsOf(int document) => _firstRow[document + 1] - _firstRow[document];

    /// <summary>
    /// The dot product of a float32 <paramref name="query"/> with row <paramref name="row"/> of chunk
    /// <paramref name="document"/> (0 is the whole chunk, then its passages in order), de-quantised.
    /// </summary>
    public float RowSimilarity(ReadOnlySpan<float> query, int document, int row)
    {
        if (query.Length != Dimensions)
            throw new ArgumentException($"The query has {query.Length} dimensions, the index {Dimensions}.", nameof(query));
        int at = _firstRow[document] + row;
        var values = _rows.AsSpan(at * Dimensions, Dimensions);
        float sum = 0;
        for (int d = 0; d < values.Length; d++)
            sum += query[d] * values[d];
        return sum * _scales[at];
    }

    /// <summary>The approximate cosine of two chunks' whole-text vectors (both unit length before quantisation).</summary>
    public float Similarity(int a, int b)
    {
        int rowA = _firstRow[a], rowB = _firstRow[b];
        return DotInt8(_rows.AsSpan(rowA * Dimensions, Dimensions), _rows.AsSpan(rowB * Dimensions, Dimensions)) * _scales[rowA] * _scales[rowB];
    }

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
        foreach (var first in _firstRow)
            writer.Write(first);
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
        var firstRow = new int[count + 1];
        for (int i = 0; i <= count; i++)
        {
            firstRow[i] = reader.ReadInt32();
            if (i > 0 && firstRow[i] <= firstRow[i - 1] || i == 0 && firstRow[0] != 0)
                throw new FormatException("bad vector index row table");
        }
        var scales = new float[firstRow[^1]];
        for (int i = 0; i < scales.Length; i++)
            scales[i] = reader.ReadSingle();
        var rows = new sbyte[checked(scales.Length * dimensions)];
        if (reader.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(rows.AsSpan())) != rows.Length)
            throw new EndOfStreamException("vector index truncated");
        return new VectorIndex(modelId, dimensions, rows, scales, firstRow);
    }
}
