using System.Text.RegularExpressions;
using ChatAdvisor.Core.Topics;

namespace ChatAdvisor.Core.Tests.Topics;

public class TopicProfileTests
{
    private static TopicProfile RepositoryProfile => TopicProfile.LoadFrom(Path.Combine(RepoPaths.Root, "corpus"));

    [Fact]
    public void Source_NamesNoEntityOfTheTopic_TheProfileIsTheOnlyPlaceThatDoes()
    {
        var profile = RepositoryProfile;
        var names = profile.Entities.SelectMany(e => new[] { e.Id, e.Name }.Concat(e.Aliases ?? []))
            .Concat(profile.Uncovered.Select(u => u.Name).Where(n => n.Length >= 5 && !n.Contains(' ', StringComparison.Ordinal)))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var pattern = new Regex(@"(?<![\p{L}\p{N}])(" + string.Join('|', names.Select(Regex.Escape)) + @")(?![\p{L}\p{N}])", RegexOptions.IgnoreCase);
        var source = Path.Combine(RepoPaths.Root, "src");
        var offenders = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(source, f), Line: i + 1, Text: line)))
            .Where(l => pattern.IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(names.Count >= 3, "the profile names the entities");
        Assert.True(offenders.Count == 0, "names of the topic in source code:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void MentionedIn_NamesAliasesAndCase_GivesEntityIdsInOrderOfMention()
    {
        var profile = TopicProfile.Parse("""
            { "entityNoun": "database", "entities": [
                { "id": "postgres", "name": "PostgreSQL", "aliases": ["postgres", "pg"] },
                { "id": "sqlite", "name": "SQLite" } ] }
            """);

        Assert.Equal(["sqlite", "postgres"], profile.MentionedIn("Is sqlite slower than PG, or than Postgres?"));
        Assert.Empty(profile.MentionedIn("pgadmin is a tool"));
        Assert.Equal("PostgreSQL and SQLite", profile.JoinNames(profile.EntityIds));
    }

    [Theory]
    [InlineData("Is the relational one faster?", "Is PostgreSQL faster?")]
    [InlineData("Who maintains the embedded database?", "Who maintains SQLite?")]
    [InlineData("Where did the oldest of the three come from?", "Where did PostgreSQL come from?")]
    [InlineData("the file-based one or the relational one, for a phone app?", "SQLite or PostgreSQL, for a phone app?")]
    [InlineData("Which is the oldest?", "Which is the oldest?")]
    [InlineData("Which of them is the embedded one?", "Which of them is the embedded one?")]
    [InlineData("an embedded system with a relational model", "an embedded system with a relational model")]
    public void NameDescribed_DefiniteDescription_ReadsAsTheEntitysName(string question, string expected)
    {
        // A description names an entity only as "the <description> (one|database|of the three)"; one that is what the
        // question asks for ("Which is the oldest?") names nothing yet.
        var profile = TopicProfile.Parse("""
            { "entityNoun": "database", "entities": [
                { "id": "postgres", "name": "PostgreSQL", "descriptions": ["relational", "oldest"] },
                { "id": "sqlite", "name": "SQLite", "descriptions": ["embedded", "file-based"] } ] }
            """);

        Assert.Equal(expected, profile.NameDescribed(question));
    }

    [Fact]
    public void AspectIsIn_TriggerOfTwoTerms_NeedsThemInARow()
    {
        var aspect = new Aspect("admin", "an admin panel", ["admin", "back offic"], ["admin"]);

        Assert.True(aspect.IsIn(["staff", "back", "offic"], []));
        Assert.False(aspect.IsIn(["back", "staff", "offic"], []));
        Assert.True(aspect.IsIn(["admin"], []));
    }

    [Fact]
    public void AspectSpokenIn_PassageWithATriggerOfTwoTermsOrAnExpansion_SpeaksToIt()
    {
        var aspect = new Aspect("admin", "an admin panel", ["back offic"], ["admin"]) { Requires = ["staff"] };

        Assert.True(aspect.SpokenIn(["a", "back", "offic", "for", "clerk"]));
        Assert.True(aspect.SpokenIn(["built", "admin", "interfac"]));
        Assert.False(aspect.SpokenIn(["back", "end", "offic"]));
    }

    [Fact]
    public void AspectIsIn_WithRequires_NeedsOneOfThemAsWordPhraseOrTerm()
    {
        var aspect = new Aspect("history", "history", ["creat", "base"], ["creat"]) { Requires = ["who", "based on", "predict"] };

        Assert.False(aspect.IsIn(["creat", "account"], ["creating", "accounts"]));
        Assert.True(aspect.IsIn(["creat"], ["who", "created", "it"]));
        Assert.True(aspect.IsIn(["base", "starlett"], ["based", "on", "starlette"]));
        Assert.True(aspect.IsIn(["creat", "predict"], ["creating", "predictions"]));
    }

    [Fact]
    public void Parse_DescriptionOfTwoEntities_IsRejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => TopicProfile.Parse("""
            { "entityNoun": "x", "entities": [ { "id": "a", "name": "A", "descriptions": ["small"] }, { "id": "b", "name": "B", "descriptions": ["small"] } ] }
            """));
        Assert.Contains("'small'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FewerThanTwoEntities_SaysWhatIsMissing()
    {
        var e = Assert.Throws<InvalidDataException>(() => TopicProfile.Parse("""{ "entityNoun": "x", "entities": [ { "id": "a", "name": "A" } ] }"""));
        Assert.Contains("at least two entities", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFrom_FolderWithoutProfile_NamesTheFileToAdd()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => TopicProfile.LoadFrom(folder.Path));
        Assert.Contains("topic.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RepositoryProfile_EveryAspectAndStarterQuestion_IsUsable()
    {
        var profile = RepositoryProfile;
        Assert.True(profile.StarterQuestions.Count >= 3);
        Assert.All(profile.Aspects, a => Assert.NotEmpty(a.Triggers));
        Assert.DoesNotContain("{", profile.Say(profile.Texts.Welcome), StringComparison.Ordinal);
    }
}
