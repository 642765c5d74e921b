using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Core.Tests.Ingestion;

public class CorpusLoaderTests
{
    [Fact]
    public void LoadAll_MixedFolder_ReadsMarkdownTextAndHtmlAndSkipsBadFilesByName()
    {
        using var folder = new TempFolder();
        folder.Write("a.md", "---\ntitle: \"Picking a framework\"\nauthor: Jane Doe\npublisher: Example Press\n---\n\n# Picking a framework\n\n## Speed\n\nFastAPI is fast.");
        folder.Write("b.txt", "Notes on Flask\n\nNotes on Flask\n\nFlask is a microframework.\n\nSimilar posts\n\nSomething else");
        folder.Write("c.html", """
            <html><head><title>Django notes</title><meta name="author" content="Sam Roe"><meta property="og:site_name" content="Web Weekly"></head>
            <body><nav>Home | Blog</nav><header><a>LOG IN</a></header>
            <article><h1>Django notes</h1><p>Django ships an <b>admin</b> site.</p>
            <ul><li>ORM</li><li>Auth</li></ul>
            <table><tr><th>Feature</th><th>Django</th></tr><tr><td>Admin</td><td>Built-in</td></tr></table>
            <div class="comments"><p>Great post!</p></div></article>
            <footer>© 2025</footer><script>alert(1)</script></body></html>
            """);
        folder.Write("empty.md", "   \n");
        File.WriteAllBytes(Path.Combine(folder.Path, "binary.txt"), [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0xFF, 0xFE]);
        folder.Write("ignored.pdf", "not a supported extension");

        var results = CorpusLoader.LoadAll(folder.Path);

        Assert.Equal(["a.md", "b.txt", "binary.txt", "c.html", "empty.md"], results.Select(r => r.File));
        var a = results.Single(r => r.File == "a.md").Article!;
        Assert.Equal(("Picking a framework", "Jane Doe", "Example Press"), (a.Title, a.Author, a.Publisher));
        Assert.Contains(a.Sections, s => s.Heading == "Speed");

        var b = results.Single(r => r.File == "b.txt").Article!;
        Assert.Equal(1, b.Text.Split('\n').Count(l => l.Contains("Notes on Flask")));
        Assert.DoesNotContain("Something else", b.Text);

        var c = results.Single(r => r.File == "c.html").Article!;
        Assert.Equal(("Django notes", "Sam Roe", "Web Weekly"), (c.Title, c.Author, c.Publisher));
        Assert.Contains("Django ships an admin site.", c.Text);
        Assert.Contains("- ORM", c.Text);
        Assert.Contains("| Admin | Built-in |", c.Text);
        Assert.DoesNotContain("Great post", c.Text);
        Assert.DoesNotContain("LOG IN", c.Text);
        Assert.DoesNotContain("alert", c.Text);

        Assert.Equal("empty", results.Single(r => r.File == "empty.md").Problem);
        Assert.StartsWith("binary", results.Single(r => r.File == "binary.txt").Problem);
    }

    [Fact]
    public void EnumerateFiles_MissingFolder_NamesTheSetting()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => CorpusLoader.EnumerateFiles("/nonexistent-corpus-folder"));
        Assert.Contains("Corpus:Path", e.Message);
    }

    [Fact]
    public void LoadAll_FileOverMaxFileBytes_IsSkippedUnreadWithTheSettingNamed()
    {
        using var folder = new TempFolder();
        folder.Write("small.md", "# Small\n\nFlask is a microframework.");
        folder.Write("huge.md", "# Huge\n\n" + string.Concat(Enumerable.Repeat("Flask is a microframework. ", 4000)));

        var results = CorpusLoader.LoadAll(folder.Path, maxFileBytes: 64 * 1024);

        Assert.True(results.Single(r => r.File == "small.md").Succeeded);
        var huge = results.Single(r => r.File == "huge.md");
        Assert.False(huge.Succeeded);
        Assert.Contains("Corpus:MaxFileBytes", huge.Problem);
        Assert.NotEqual("unreadable", huge.Sha256);
    }
}
