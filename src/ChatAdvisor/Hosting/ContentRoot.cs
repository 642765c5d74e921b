namespace ChatAdvisor.Hosting;

/// <summary>
/// Finds the folder that holds <c>appsettings.json</c> (and <c>corpus/</c>), so the executable reads the
/// repository's settings whether it is started from the repository root, from its project folder or
/// from anywhere else (then the copy next to the executable is used).
/// </summary>
public static class ContentRoot
{
    /// <summary>The content root: the nearest folder, from the working directory upwards, then from the executable's folder upwards, that holds appsettings.json.</summary>
    public static string Locate()
    {
        return FindUpwards(Directory.GetCurrentDirectory())
            ?? FindUpwards(AppContext.BaseDirectory)
            ?? AppContext.BaseDirectory;
    }

    private static string? FindUpwards(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "appsettings.json")) && Directory.Exists(Path.Combine(dir.FullName, "corpus")))
                return dir.FullName;
        }
        return null;
    }
}
