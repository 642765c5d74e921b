using ChatAdvisor.Core.Answering.Llm;

namespace ChatAdvisor.Core.Tests.Answering.Llm;

public sealed class PromptTemplateTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "chatadvisor-prompts-" + Guid.NewGuid().ToString("N"));

    public PromptTemplateTests()
    {
        Directory.CreateDirectory(_folder);
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "prompts")))
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Load_RepositoryPrompts_AllValid()
    {
        var library = PromptLibrary.Load(Path.Combine(RepoPaths.Root, "prompts"));

        Assert.Equal(["history", "question", "sources"], library.Answer.Placeholders.Order());
        Assert.Equal(["history", "question"], library.Rewrite.Placeholders.Order());
    }

    [Fact]
    public void Load_UnknownPlaceholder_ErrorNamesTheFile()
    {
        var path = Path.Combine(_folder, "answer.txt");
        File.AppendAllText(path, "\nAlso consider {{$weather}}.\n");

        var error = Assert.Throws<PromptTemplateException>(() => PromptLibrary.Load(_folder));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Contains("{{$weather}}", error.Message);
    }

    [Fact]
    public void Load_FunctionCallBlock_Rejected()
    {
        File.AppendAllText(Path.Combine(_folder, "rewrite.txt"), "{{time.now}}");

        var error = Assert.Throws<PromptTemplateException>(() => PromptLibrary.Load(_folder));

        Assert.Contains("rewrite.txt", error.Message);
    }

    [Fact]
    public void Load_RequiredPlaceholderMissing_ErrorNamesIt()
    {
        File.WriteAllText(Path.Combine(_folder, "answer.txt"), "Answer {{$question}} please.");

        var error = Assert.Throws<PromptTemplateException>(() => PromptLibrary.Load(_folder));

        Assert.Contains("{{$sources}}", error.Message);
    }

    [Fact]
    public void Load_MissingFile_ErrorNamesIt()
    {
        File.Delete(Path.Combine(_folder, "suggestions.txt"));

        var error = Assert.Throws<PromptTemplateException>(() => PromptLibrary.Load(_folder));

        Assert.EndsWith("suggestions.txt", error.FilePath);
    }

    [Fact]
    public void Render_SpacedPlaceholdersAndBracesInValues_ValuesInsertedVerbatim()
    {
        var template = PromptTemplate.Parse("t", "t.txt", "Q: {{ $question }} / {{$question}}",
            new HashSet<string> { "question" }, new HashSet<string> { "question" });

        var text = template.Render(new Dictionary<string, string> { ["question"] = "what is {{$sources}}?" });

        Assert.Equal("Q: what is {{$sources}}? / what is {{$sources}}?", text);
    }
}
