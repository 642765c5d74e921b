using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using System.Text;

namespace ChatAdvisor.Core.Embeddings.Static;

/// <summary>
/// A static word embedding as built by <c>tools/static-embedding/build.py</c>: int8 word vectors with one scale
/// per row, SIF weights, a common component to remove, and character n-gram buckets for unknown words.
/// A text's embedding is the SIF-weighted sum of its words' vectors, less its projection on the common
/// component, L2-normalised. Immutable after loading, so thread-safe.
/// </summary>
public sealed class StaticEmbeddingModel
{
    private static ReadOnlySpan<byte> Magic => "CASE"u8;
    private const int SupportedVersion = 1;
    private const int MaxTokenLength = 64;

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly float[] _weights;
    private readonly float[] _scales;
    private readonly sbyte[] _rows;
    private readonly float[] _bucketScales;
    private readonly sbyte[] _bucketRows;
    private readonly float[] _component;
    private readonly int _minN;
    private readonly int _maxN;
    private readonly float _unknownWeight;

    private StaticEmbeddingModel(
        Dictionary<string, int> vocabulary, float[] weights, float[] scales, sbyte[] rows,
        float[] bucketScales, sbyte[] bucketRows, float[] component, int minN, int maxN, float unknownWeight, string fingerprint)
    {
        _lookup = vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        _weights = weights;
        _scales = scales;
        _rows = rows;
        _bucketScales = bucketScales;
        _bucketRows = bucketRows;
        _component = component;
        _minN = minN;
        _maxN = maxN;
        _unknownWeight = unknownWeight;
        Dimensions = component.Length;
        VocabularySize = vocabulary.Count;
        Fingerprint = fingerprint;
    }

    /// <summary>Length of every embedding.</summary>
    public int Dimensions { get; }

    /// <summary>Number of words with their own vector.</summary>
    public int VocabularySize { get; }

    /// <summary>
    /// A short content hash of the model file ("static-" and 16 hex digits): an index built with another
    /// model is stale.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>Loads a model file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a static embedding model or is truncated.</exception>
    public static StaticEmbeddingModel Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The static embedding model '{path}' does not exist (see tools/static-embedding/README.md).", path);
        var bytes = File.ReadAllBytes(path);
        try
        {
            return Parse(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"The static embedding model '{path}' cannot be read: {e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"The static embedding model '{path}' is truncated or corrupt.", e);
        }
    }

    private static StaticEmbeddingModel Parse(byte[] bytes)
    {
        ReadOnlySpan<byte> data = bytes;
        if (data.Length < 32 || !data[..4].SequenceEqual(Magic))
            throw new InvalidDataException("Not a ChatAdvisor static embedding model (bad magic).");
        var version = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
        if (version != SupportedVersion)
            throw new InvalidDataException($"Static embedding format version {version} is not supported (expected {SupportedVersion}).");
        var dims = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
        var words = BinaryPrimitives.ReadInt32LittleEndian(data[12..]);
        var buckets = BinaryPrimitives.ReadInt32LittleEndian(data[16..]);
        var minN = BinaryPrimitives.ReadInt32LittleEndian(data[20..]);
        var maxN = BinaryPrimitives.ReadInt32LittleEndian(data[24..]);
        var unknownWeight = BinaryPrimitives.ReadSingleLittleEndian(data[28..]);
        var pos = 32;

        var component = ReadFloats(data, ref pos, dims);
        var vocabulary = new Dictionary<string, int>(words, StringComparer.Ordinal);
        for (var i = 0; i < words; i++)
        {
            int length = data[pos];
            vocabulary[Encoding.UTF8.GetString(data.Slice(pos + 1, length))] = i;
            pos += 1 + length;
        }
        var weights = ReadFloats(data, ref pos, words);
        var scales = ReadFloats(data, ref pos, words);
        var rows = ReadSBytes(data, ref pos, words * dims);
        var bucketScales = ReadFloats(data, ref pos, buckets);
        var bucketRows = ReadSBytes(data, ref pos, buckets * dims);
        if (pos != data.Length)
            throw new InvalidDataException("The static embedding model has trailing bytes.");

        var fingerprint = "static-" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8));
        return new StaticEmbeddingModel(vocabulary, weights, scales, rows, bucketScales, bucketRows, component, minN, maxN, unknownWeight, fingerprint);
    }

    private static float[] ReadFloats(ReadOnlySpan<byte> data, ref int pos, int count)
    {
        var result = new float[count];
        var source = data.Slice(pos, count * sizeof(float));
        for (var i = 0; i < count; i++)
            result[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * sizeof(float))..]);
        pos += count * sizeof(float);
        return result;
    }

    private static sbyte[] ReadSBytes(ReadOnlySpan<byte> data, ref int pos, int count)
    {
        var result = new sbyte[count];
        data.Slice(pos, count).CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        pos += count;
        return result;
    }

    /// <summary>Embeds <paramref name="text"/> into <paramref name="destination"/> (length <see cref="Dimensions"/>), L2-normalised; all zeros when the text has no words.</summary>
    public void Embed(ReadOnlySpan<char> text, Span<float> destination)
    {
        if (destination.Length != Dimensions)
            throw new ArgumentException($"The destination must have {Dimensions} elements.", nameof(destination));
        destination.Clear();
        Span<char> token = stackalloc char[MaxTokenLength];
        var length = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (char.IsAsciiLetterOrDigit(c))
            {
                // Overlong tokens (hashes, base64) keep their first characters: they carry no meaning either way.
                if (length < MaxTokenLength)
                    token[length++] = char.ToLowerInvariant(c);
                continue;
            }
            if (length > 0)
                AddToken(token[..length], destination);
            length = 0;
        }

        var projection = TensorPrimitives.Dot(destination, _component);
        TensorPrimitives.MultiplyAdd(_component, -projection, destination, destination);
        var norm = TensorPrimitives.Norm(destination);
        if (norm > 0)
            TensorPrimitives.Divide(destination, norm, destination);
    }

    /// <summary>Embeds <paramref name="text"/> into a new array.</summary>
    public float[] Embed(string text)
    {
        var result = new float[Dimensions];
        Embed(text, result);
        return result;
    }

    private void AddToken(ReadOnlySpan<char> token, Span<float> sum)
    {
        if (_lookup.TryGetValue(token, out var id))
        {
            AddRow(_rows.AsSpan(id * Dimensions, Dimensions), _weights[id] * _scales[id], sum);
            return;
        }

        // An unknown word (typo, rare term) is the mean of its character n-gram buckets: "<word>" cut into
        // n-grams of MinN..MaxN characters, each hashed with 32-bit FNV-1a, as build.py does.
        Span<char> marked = stackalloc char[token.Length + 2];
        marked[0] = '<';
        token.CopyTo(marked[1..]);
        marked[^1] = '>';
        var count = 0;
        for (var n = _minN; n <= _maxN; n++)
            count += Math.Max(0, marked.Length - n + 1);
        if (count == 0)
            return;
        var bucketCount = (uint)_bucketScales.Length;
        for (var n = _minN; n <= _maxN; n++)
        {
            for (var start = 0; start + n <= marked.Length; start++)
            {
                var bucket = (int)(Fnv1a(marked.Slice(start, n)) % bucketCount);
                AddRow(_bucketRows.AsSpan(bucket * Dimensions, Dimensions), _unknownWeight * _bucketScales[bucket] / count, sum);
            }
        }
    }

    /// <summary>sum += factor × row. Vectorised: a chunk of a few hundred words adds a few hundred rows, and
    /// re-scoring search candidates embeds dozens of chunks per question (the scale benchmark shows the gain).</summary>
    private static void AddRow(ReadOnlySpan<sbyte> row, float factor, Span<float> sum)
    {
        int d = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var scale = Vector256.Create(factor);
            ref float target = ref MemoryMarshal.GetReference(sum);
            for (; d <= sum.Length - Vector256<sbyte>.Count; d += Vector256<sbyte>.Count)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Create(row.Slice(d, Vector256<sbyte>.Count)));
                var (i0, i1) = Vector256.Widen(lo);
                var (i2, i3) = Vector256.Widen(hi);
                Accumulate(ref target, d, i0, scale);
                Accumulate(ref target, d + 8, i1, scale);
                Accumulate(ref target, d + 16, i2, scale);
                Accumulate(ref target, d + 24, i3, scale);
            }
        }
        for (; d < sum.Length; d++)
            sum[d] += factor * row[d];
    }

    private static void Accumulate(ref float target, int offset, Vector256<int> values, Vector256<float> scale)
    {
        var current = Vector256.LoadUnsafe(ref target, (nuint)offset);
        (current + Vector256.ConvertToSingle(values) * scale).StoreUnsafe(ref target, (nuint)offset);
    }

    private static uint Fnv1a(ReadOnlySpan<char> asciiText)
    {
        var hash = 0x811C9DC5u;
        foreach (var c in asciiText)
        {
            hash ^= (byte)c;
            hash *= 0x01000193u;
        }
        return hash;
    }
}
