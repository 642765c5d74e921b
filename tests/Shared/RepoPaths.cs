namespace ChatAdvisor.Testing;

/// <summary>The folder the tests read from: the repository root (everything a test reads is committed there).</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder holding ChatAdvisor.sln).</summary>
    public static string Root { get; } = FindRoot();

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
