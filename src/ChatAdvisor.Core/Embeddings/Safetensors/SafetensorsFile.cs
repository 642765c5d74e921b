using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ChatAdvisor.Core.Embeddings.Safetensors;

/// <summary>One tensor's entry in a safetensors header: element type, shape and byte range within the data section.</summary>
public sealed record SafetensorsTensor(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>The number of elements (the product of the shape).</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, dimension) => product * dimension);
}

/// <summary>
/// A safetensors file (the format Hugging Face models are published in): an 8-byte little-endian header length,
/// a JSON header naming each tensor's dtype, shape and data offsets, then the raw little-endian tensor data.
/// </summary>
/// <remarks>
/// <see cref="Open"/> checks that the file holds every byte its header promises, so a truncated download fails
/// with a message naming the file instead of producing a model with garbage weights. Immutable and thread-safe.
/// </remarks>
public sealed class SafetensorsFile
{
    private const long MaxHeaderBytes = 100 * 1024 * 1024;

    private SafetensorsFile(string path, long dataStart, long fileLength, IReadOnlyDictionary<string, SafetensorsTensor> tensors,
        IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        DataStart = dataStart;
        FileLength = fileLength;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The file this header was read from.</summary>
    public string Path { get; }

    /// <summary>The byte position where tensor data begins (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>The file's length on disk.</summary>
    public long FileLength { get; }

    /// <summary>The bytes the header says the file must have: the data start plus the end of the last tensor.</summary>
    public long ExpectedLength => DataStart + (Tensors.Count == 0 ? 0 : Tensors.Values.Max(t => t.End));

    /// <summary>Tensors by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensor> Tensors { get; }

    /// <summary>The optional "__metadata__" string map of the header.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens <paramref name="path"/> and checks that it is complete.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header is malformed or the file is shorter than its header says; the message names the file.</exception>
    public static SafetensorsFile Open(string path)
    {
        var file = ReadHeader(path);
        if (file.FileLength < file.ExpectedLength)
        {
            throw new InvalidDataException(
                $"{path} is truncated: its header describes {file.ExpectedLength:N0} bytes but the file has {file.FileLength:N0}. " +
                "Download the model again.");
        }
        return file;
    }

    /// <summary>Reads and validates only the header, so a file whose data is cut short can still be inspected.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header is malformed; the message names the file.</exception>
    public static SafetensorsFile ReadHeader(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The model weights file {path} does not exist.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
            throw new InvalidDataException($"{path} is not a safetensors file: it is shorter than the 8-byte header length.");
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"{path} is not a safetensors file: header length {headerLength} is out of range.");
        if (8 + headerLength > stream.Length)
            throw new InvalidDataException($"{path} is truncated inside its header ({stream.Length:N0} bytes, header needs {8 + headerLength:N0}).");
        var header = new byte[headerLength];
        stream.ReadExactly(header);

        var tensors = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(header);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (var entry in property.Value.EnumerateObject())
                        metadata[entry.Name] = entry.Value.GetString() ?? "";
                    continue;
                }
                var dtype = property.Value.GetProperty("dtype").GetString() ?? "";
                var shape = property.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                    throw new InvalidDataException($"{path}: tensor {property.Name} has invalid data_offsets.");
                var tensor = new SafetensorsTensor(property.Name, dtype, shape, offsets[0], offsets[1]);
                if (ElementSize(dtype) is int size && tensor.ElementCount * size != tensor.End - tensor.Begin)
                    throw new InvalidDataException($"{path}: tensor {property.Name} ({dtype} {string.Join('x', shape)}) does not match its {tensor.End - tensor.Begin} bytes.");
                tensors[property.Name] = tensor;
            }
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path} has a malformed safetensors header: {exception.Message}", exception);
        }
        return new SafetensorsFile(path, 8 + headerLength, stream.Length, tensors, metadata);
    }

    /// <summary>Reads a floating-point tensor (F32, F16 or BF16) as float32 values.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message names the file.</exception>
    public float[] ReadFloats(string name)
    {
        if (!Tensors.TryGetValue(name, out var tensor))
            throw new KeyNotFoundException($"{Path} has no tensor named {name}.");
        var bytes = new byte[tensor.End - tensor.Begin];
        using (var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            var read = 0;
            while (read < bytes.Length)
            {
                var count = RandomAccess.Read(handle, bytes.AsSpan(read), DataStart + tensor.Begin + read);
                if (count == 0)
                    throw new InvalidDataException($"{Path} is truncated: tensor {name} ends past the end of the file.");
                read += count;
            }
        }
        var result = new float[tensor.ElementCount];
        switch (tensor.DType)
        {
            case "F32" when BitConverter.IsLittleEndian:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(result);
                break;
            case "F32":
                for (var i = 0; i < result.Length; i++)
                    result[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
                break;
            case "F16":
                for (var i = 0; i < result.Length; i++)
                    result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(i * 2));
                break;
            case "BF16":
                // bfloat16 is the upper half of a float32.
                for (var i = 0; i < result.Length; i++)
                    result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2)) << 16);
                break;
            default:
                throw new InvalidDataException($"{Path}: tensor {name} has dtype {tensor.DType}; only F32, F16 and BF16 weights can be loaded.");
        }
        return result;
    }

    private static int? ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => null,
    };
}
