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
}

/// <summary>Settings of the <c>Storage</c> section.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Storage";

    /// <summary>The folder for the index cache and the conversation store; relative paths resolve against the content root.</summary>
    public string Path { get; set; } = ".chatadvisor";

    /// <summary>How many turns of a conversation are kept (older ones are trimmed).</summary>
    public int MaxTurnsPerConversation { get; set; } = 20;

    /// <summary>Conversations idle for longer than this many hours expire.</summary>
    public double ConversationIdleHours { get; set; } = 24 * 7;

    /// <summary>Describes the first broken invariant, naming the setting, or returns null.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
            return "Storage:Path must name a folder.";
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

    /// <summary>Describes the first broken invariant, naming the setting, or returns null.</summary>
    public string? Validate() => TopK is < 1 or > 100 ? $"Retrieval:TopK must be between 1 and 100 (it is {TopK})." : null;
}

/// <summary>Where the application's relative paths resolve from.</summary>
/// <param name="ContentRoot">The folder holding appsettings.json.</param>
public sealed record ContentRootPath(string ContentRoot)
{
    /// <summary>Resolves <paramref name="path"/> against the content root unless it is absolute.</summary>
    public string Resolve(string path) => System.IO.Path.GetFullPath(System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.Combine(ContentRoot, path));
}
