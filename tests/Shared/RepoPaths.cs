namespace ChatAdvisor.Testing;

/// <summary>Folders the tests read: the repository root and the shared reference folder beside it.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder holding ChatAdvisor.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The shared reference folder beside the repository (original corpus, model reference files).</summary>
    public static string Shared => Environment.GetEnvironmentVariable("CHATADVISOR_SHARED") is { Length: > 0 } shared
        ? shared
        : Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ChatAdvisor.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("ChatAdvisor.sln not found above " + AppContext.BaseDirectory);
    }
}
