namespace ChatAdvisor.Core.Tests.Embeddings;

/// <summary>Reference files the embedding tests read from the shared models folder (never copied into the repository).</summary>
internal static class SharedModels
{
    public static string MiniLmFolder => Path.Combine(RepoPaths.Shared, "models", "all-MiniLM-L6-v2");

    public static string Golden(string name) => Path.Combine(RepoPaths.Root, "tests", "ChatAdvisor.Core.Tests", "Embeddings", "Golden", name);

    /// <summary>The path of a shared reference file; fails the test with a message naming the file when it is missing.</summary>
    public static string Require(params string[] relative)
    {
        var path = Path.Combine([RepoPaths.Shared, "models", .. relative]);
        Assert.True(File.Exists(path), $"Reference file {path} is missing (set CHATADVISOR_SHARED to the folder holding models/).");
        return path;
    }
}
