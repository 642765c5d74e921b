namespace ChatAdvisor.Core;

/// <summary>Settings of the <c>Corpus</c> section.</summary>
public sealed class CorpusOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Corpus";

    /// <summary>The folder of articles (.md, .txt, .html); relative paths resolve against the content root.</summary>
    public string Path { get; set; } = "corpus";

    /// <summary>Whether to re-index when a file in the corpus folder changes while the server runs.</summary>
    public bool WatchForChanges { get; set; } = true;

    /// <summary>The default <see cref="MaxFileBytes"/>: 5 MB, far more than an article.</summary>
    public const long DefaultMaxFileBytes = 5L * 1024 * 1024;

    /// <summary>A corpus file larger than this many bytes is skipped with a warning naming it, so that one stray dump cannot swell the index.</summary>
    public long MaxFileBytes { get; set; } = DefaultMaxFileBytes;

    /// <summary>Describes the first broken invariant, naming the setting, or returns null.</summary>
    public string? Validate()
    {
        if (MaxFileBytes < 1024)
            return $"Corpus:MaxFileBytes must be at least 1024 (it is {MaxFileBytes}).";
        return null;
    }
}

/// <summary>Settings of the <c>Storage</c> section.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Storage";

    /// <summary>The folder for the index cache and the conversation store; relative paths resolve against the content root.</summary>
    public string Path { get; set; } = ".chatadvisor";

    /// <summary>
    /// Where conversations, feedback and the channels' shared state live: <c>sqlite</c> (an embedded file in
    /// <see cref="Path"/>, one process) or <c>postgres</c> (the database named by <c>ConnectionStrings:Postgres</c>,
    /// shared by every replica).
    /// </summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>The embedded, single-process provider.</summary>
    public const string SqliteProvider = "sqlite";

    /// <summary>The shared provider for several replicas.</summary>
    public const string PostgresProvider = "postgres";

    /// <summary>True when <see cref="Provider"/> is <c>postgres</c>.</summary>
    public bool UsesPostgres => string.Equals(Provider, PostgresProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>How many turns of a conversation are kept (older ones are trimmed).</summary>
    public int MaxTurnsPerConversation { get; set; } = 20;

    /// <summary>Conversations idle for longer than this many hours expire.</summary>
    public double ConversationIdleHours { get; set; } = 24 * 7;

    /// <summary>
    /// The most the conversation database may hold, in bytes; past it the least recently used conversations are evicted.
    /// </summary>
    public long MaxDatabaseBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// How many live conversations one client of the HTTP API may have; a new one past this evicts that client's own
    /// least recently used conversation.
    /// </summary>
    public int MaxConversationsPerClient { get; set; } = 200;

    /// <summary>The longest answer text stored with a turn, in characters (longer answers are stored cut short).</summary>
    public int MaxStoredAnswerChars { get; set; } = 16_000;

    /// <summary>How often expired conversations are deleted and free space is returned to the file system.</summary>
    public double CleanupIntervalMinutes { get; set; } = 60;

    /// <summary>Describes the first broken invariant, naming the setting, or returns null.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
            return "Storage:Path must name a folder.";
        if (!UsesPostgres && !string.Equals(Provider, SqliteProvider, StringComparison.OrdinalIgnoreCase))
            return $"Storage:Provider must be 'sqlite' or 'postgres' (it is '{Provider}').";
        if (MaxDatabaseBytes < 64 * 1024)
            return $"Storage:MaxDatabaseBytes must be at least 65536 (it is {MaxDatabaseBytes}).";
        if (MaxConversationsPerClient < 1)
            return $"Storage:MaxConversationsPerClient must be at least 1 (it is {MaxConversationsPerClient}).";
        if (MaxStoredAnswerChars < 500)
            return $"Storage:MaxStoredAnswerChars must be at least 500 (it is {MaxStoredAnswerChars}).";
        if (CleanupIntervalMinutes <= 0)
            return $"Storage:CleanupIntervalMinutes must be positive (it is {CleanupIntervalMinutes}).";
        if (MaxTurnsPerConversation < 2)
            return $"Storage:MaxTurnsPerConversation must be at least 2 (it is {MaxTurnsPerConversation}).";
        if (ConversationIdleHours <= 0)
            return $"Storage:ConversationIdleHours must be positive (it is {ConversationIdleHours}).";
        return null;
    }
}

/// <summary>Settings of the <c>Retrieval</c> section.</summary>
public sealed class RetrievalOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Retrieval";

    /// <summary>How many chunks a question retrieves for the answer composer.</summary>
    public int TopK { get; set; } = 8;

    /// <summary>Which evidence ranks chunks: <c>Hybrid</c> (default), <c>Lexical</c> or <c>Vector</c>.</summary>
    public Retrieval.RetrieverKind Mode { get; set; } = Retrieval.RetrieverKind.Hybrid;

    /// <summary>How the lexical and vector rankings are fused: <c>Rrf</c> (reciprocal rank fusion) or <c>Weighted</c>.</summary>
    public Retrieval.FusionMethod Fusion { get; set; } = Retrieval.FusionMethod.Weighted;

    /// <summary>The rank offset of reciprocal rank fusion (60 in the original paper).</summary>
    public int RrfK { get; set; } = 60;

    /// <summary>The weight of the vector ranking in the fusion (the lexical ranking gets 1 minus this).</summary>
    public float VectorWeight { get; set; } = 0.8f;

    /// <summary>How many candidates each retriever contributes to the fusion.</summary>
    public int CandidatesPerRetriever { get; set; } = 30;

    /// <summary>
    /// How much of the direction of a generic request for advice ("Which framework should I choose?") is taken out of a
    /// question's vector before it searches (0 keeps the question as embedded, 1 removes that direction entirely). Every
    /// question that asks for advice is close to the introductions and conclusions that discuss choosing in general;
    /// without that shared part, what the question is about decides. Chosen on the dev evaluation set.
    /// </summary>
    public float FramingRemoval { get; set; } = 0.8f;

    /// <summary>How many int8 vector candidates are re-scored in float32.</summary>
    public int RescoreCandidates { get; set; } = 32;

    /// <summary>MMR trade-off: 1 keeps the fused order, lower values favour passages unlike those already picked.</summary>
    public float MmrLambda { get; set; } = 1f;

    /// <summary>The MMR trade-off for comparison questions ("X vs Y"), where every article should get a say.</summary>
    public float ComparisonMmrLambda { get; set; } = 0.6f;

    /// <summary>
    /// A question without domain keywords is still in scope when its embedding has at least this cosine with a
    /// passage (calibrated on the eval set: off-topic questions stay below it).
    /// </summary>
    public float InScopeSimilarity { get; set; } = 0.55f;

    /// <summary>Describes the first broken invariant, naming the setting, or returns null.</summary>
    public string? Validate() =>
        TopK is < 1 or > 100 ? $"Retrieval:TopK must be between 1 and 100 (it is {TopK})."
        : RrfK < 0 ? $"Retrieval:RrfK must not be negative (it is {RrfK})."
        : VectorWeight is < 0 or > 1 ? $"Retrieval:VectorWeight must be between 0 and 1 (it is {VectorWeight})."
        : CandidatesPerRetriever is < 1 or > 1000 ? $"Retrieval:CandidatesPerRetriever must be between 1 and 1000 (it is {CandidatesPerRetriever})."
        : FramingRemoval is < 0 or > 1 ? $"Retrieval:FramingRemoval must be between 0 and 1 (it is {FramingRemoval})."
        : RescoreCandidates is < 1 or > 1000 ? $"Retrieval:RescoreCandidates must be between 1 and 1000 (it is {RescoreCandidates})."
        : MmrLambda is < 0 or > 1 ? $"Retrieval:MmrLambda must be between 0 and 1 (it is {MmrLambda})."
        : ComparisonMmrLambda is < 0 or > 1 ? $"Retrieval:ComparisonMmrLambda must be between 0 and 1 (it is {ComparisonMmrLambda})."
        : InScopeSimilarity is < -1 or > 1 ? $"Retrieval:InScopeSimilarity must be between -1 and 1 (it is {InScopeSimilarity})."
        : null;
}

/// <summary>Where the application's relative paths resolve from.</summary>
/// <param name="ContentRoot">The folder holding appsettings.json.</param>
public sealed record ContentRootPath(string ContentRoot)
{
    /// <summary>Resolves <paramref name="path"/> against the content root unless it is absolute.</summary>
    public string Resolve(string path) => System.IO.Path.GetFullPath(System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.Combine(ContentRoot, path));
}
