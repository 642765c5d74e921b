namespace ChatAdvisor.Testing;

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    /// <summary>Creates the folder.</summary>
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "chatadvisor-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>Writes a file in the folder and returns its full path.</summary>
    public string Write(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    /// <summary>Copies the repository's corpus into a subfolder and returns its path.</summary>
    public string CopyCorpus(string name = "corpus")
    {
        var target = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(System.IO.Path.Combine(RepoPaths.Root, "corpus")))
            File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
        return target;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open on some platforms.
        }
    }
}
