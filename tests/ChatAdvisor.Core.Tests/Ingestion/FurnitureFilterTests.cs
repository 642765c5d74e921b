using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Core.Tests.Ingestion;

public class FurnitureFilterTests
{
    /// <summary>The articles exactly as collected, page furniture included (Ingestion/RawArticles, copied beside the tests).</summary>
    private static readonly string RawArticles = Path.Combine(AppContext.BaseDirectory, "Ingestion", "RawArticles");

    private static readonly string[] Furniture =
    [
        "LOG IN", "SIGN UP", "Sign In", "OR continue with e-mail and password", "E-mail address", "Confirm Password",
        "How did you hear about us?", "By signing up, you agree", "Discussion(0 comments)", "✅ Success", "💬Comments",
        "Sign in to join the discussion.", "No comments yet", "Similar posts", "Don't have an account?", "Reset password",
    ];

    public static TheoryData<string> CollectedArticles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RawArticles, "*.txt").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        Assert.Equal(4, data.Count);
        return data;
    }

    [Theory]
    [MemberData(nameof(CollectedArticles))]
    public void Load_CollectedArticle_RemovesPageFurnitureAndKeepsTheArticle(string file)
    {
        var folder = RawArticles;
        var result = CorpusLoader.Load(folder, Path.Combine(folder, file));

        Assert.True(result.Succeeded, result.Problem);
        var text = result.Article!.Text;
        foreach (var line in text.Split('\n').Select(l => l.Trim()))
            Assert.DoesNotContain(Furniture, f => line.StartsWith(f, StringComparison.OrdinalIgnoreCase) && line.Length < f.Length + 20);
        var title = result.Article.Title;
        Assert.Equal(1, text.Split('\n').Count(l => l.Trim().TrimStart('#').Trim() == title));
        Assert.True(text.Length > 3000, "the article body is kept");
    }

    [Fact]
    public void Load_ArticleWithAuthorBox_FindsAuthorAndDropsBio()
    {
        var folder = RawArticles;
        var article = CorpusLoader.Load(folder, Path.Combine(folder, "000_8a0ada6cba144acb.txt")).Article!;

        Assert.Equal("Amir Aghaverdi", article.Author);
        Assert.DoesNotContain("Python developer specializing", article.Text);
        Assert.Contains("No matter which framework you choose", article.Text);
    }

    [Fact]
    public void Load_ArticleBehindSignInForm_FindsPublisherAndKeepsHistory()
    {
        var folder = RawArticles;
        var article = CorpusLoader.Load(folder, Path.Combine(folder, "001_799210cf8b5fe87c.txt")).Article!;

        Assert.Equal("Tech Job Finder", article.Publisher);
        Assert.Equal("Which Web Python Backend to Choose: Django vs FastApi vs Flask", article.Title);
        Assert.Contains("Flask, released in 2010 by Armin Ronacher", article.Text);
        Assert.DoesNotContain("Password", article.Text);
    }

    [Fact]
    public void Clean_TextWithoutFurniture_IsUnchanged()
    {
        var text = "# Title\n\nA paragraph about Django.\n\n- Easy to learn\n- Minimal setup";
        var result = FurnitureFilter.Clean(text, "Title");

        Assert.Equal(text, result.Text);
        Assert.Equal(0, result.RemovedLines);
    }
}
