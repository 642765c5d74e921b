using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Tests.Retrieval;

public class RetrievalTests
{
    [Theory]
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("relational", "relat")]
    [InlineData("running", "run")]
    [InlineData("frameworks", "framework")]
    [InlineData("hopeful", "hope")]
    [InlineData("generalization", "gener")]
    [InlineData("adjustment", "adjust")]
    public void Stem_EnglishWord_GivesPorterStem(string word, string stem) => Assert.Equal(stem, PorterStemmer.Stem(word));

    [Theory]
    [InlineData("the admin dashboard", "admin")]
    [InlineData("an admin interface", "admin")]
    [InlineData("Object Relational Mapper", "orm")]
    [InlineData("machine learning", "ml")]
    [InlineData("asynchronous", "async")]
    public void Terms_Alias_FoldsIntoCanonicalTerm(string text, string term) => Assert.Equal([term], TextAnalyzer.Terms(text));

    [Fact]
    public void Words_AccentsEmojiAndLoneSurrogates_FoldAccentsAndDoNotThrow()
    {
        var words = TextAnalyzer.Words("Café naïve 😀 broken \uD83D pair");

        Assert.Contains("cafe", words);
        Assert.Contains("naive", words);
        Assert.Contains("pair", words);
    }

    [Fact]
    public void Terms_HyphenatedExtensionName_KeepsBothWords() => Assert.Equal(["flask", "wtf"], TextAnalyzer.Terms("Flask-WTF"));

    [Theory]
    [InlineData("framwork", "framework")]
    [InlineData("admn", "admin")]
    [InlineData("wich", "which")]
    [InlineData("djnago", "django")]
    [InlineData("flsk", "flask")]
    [InlineData("fastapy", "fastapi")]
    [InlineData("framework", "framework")]
    [InlineData("xyzzyq", "xyzzyq")]
    public void Correct_Typo_GivesKnownWord(string typed, string expected)
    {
        // The entity names are known because the corpus uses them, not because the code lists them.
        var corrector = new SpellingCorrector(new Dictionary<string, int> { ["framework"] = 9, ["admin"] = 3, ["with"] = 20, ["beginners"] = 2, ["django"] = 5, ["flask"] = 5, ["fastapi"] = 5 });
        Assert.Equal(expected, corrector.Correct(typed));
    }

    [Theory]
    [InlineData("shop", "shop")]
    [InlineData("novice", "novice")]
    [InlineData("shwo", "show")]
    public void Correct_WordOfTheLanguage_IsLeftAsTyped(string typed, string expected)
    {
        // "shop" is one edit from the corpus word "show", but it is a word of its own, not a misspelling.
        var corrector = new SpellingCorrector(new Dictionary<string, int> { ["show"] = 4, ["novices"] = 1 }, new HashSet<string> { "shop", "show", "novice" });
        Assert.Equal(expected, corrector.Correct(typed));
    }

    [Fact]
    public void Search_Bm25_RanksTheMatchingDocumentFirstWithDeterministicTies()
    {
        var index = LexicalIndex.Build([["django", "admin"], ["flask", "micro"], ["django", "orm", "admin", "admin"], ["flask", "micro"]]);

        var admin = index.Search(["admin"], 10);
        Assert.Equal([2, 0], admin.Select(h => h.Document));
        var flask = index.Search(["flask"], 10);
        Assert.Equal([1, 3], flask.Select(h => h.Document));
        Assert.Empty(index.Search(["rails"], 10));
    }

    [Fact]
    public void Coverage_DocumentWithSomeOfTheQuery_IsItsShareOfTheQuerysWeight()
    {
        var index = LexicalIndex.Build([["admin", "panel"], ["admin", "orm"], ["orm", "templat"], ["cache"]]);
        var weights = new Dictionary<string, float> { ["admin"] = 1f, ["panel"] = 1f };

        Assert.Equal(1f, index.Coverage(0, weights), 5);
        Assert.Equal(index.Idf("admin") / (index.Idf("admin") + index.Idf("panel")), index.Coverage(1, weights), 5);
        Assert.Equal(0f, index.Coverage(3, weights));
        // A word no passage uses counts against every passage.
        Assert.True(index.Coverage(0, new Dictionary<string, float> { ["admin"] = 1f, ["panel"] = 1f, ["backoffic"] = 1f }) < 0.7f);
    }

    [Fact]
    public void Select_TopK_KeepsBestInOrder()
    {
        float[] scores = [0.5f, 3f, 0f, 2f, 3f, 1f];
        Assert.Equal([(1, 3f), (4, 3f), (3, 2f)], TopK.Select(scores, 3));
    }
}
