using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Tests.Answering;

public class CasualWordingTests
{
    [Theory]
    [InlineData("gonna build a blog + comments, thoughts?", "going to build a blog and comments")]
    [InlineData("wanna make an api w/ auth - any ideas?", "want to make an api with auth")]
    [InlineData("can u tell me which is faster pls", "can you tell me which is faster please")]
    [InlineData("shop & admin, what do you think?", "shop and admin")]
    [InlineData("wat r the pros n cons", "what are the pros and cons")]
    [InlineData("need smth that handles tons of reqs", "need something that handles tons of requests")]
    // How soon something is done, and how many at once, said plainly.
    [InlineData("need a backend for a demo, what gets me running fastest", "need a backend for a demo, what gets me running quickest")]
    [InlineData("Fastest way to build an MVP?", "Quickest way to build an MVP?")]
    [InlineData("which is faster to set up", "which is quicker to set up")]
    [InlineData("I have to ship it fast.", "I have to ship it quick.")]
    [InlineData("A live feed with thousands of users connected at the same time", "A live feed with thousands of users connected simultaneously")]
    public void Normalize_CasualWording_WritesItPlainly(string casual, string plain)
        => Assert.Equal(plain, CasualWording.Normalize(casual));

    [Theory]
    [InlineData("Which framework is best for a REST API?")]
    [InlineData("Which one is fastest under load?")]
    [InlineData("I need the app running fast for thousands of users")]
    [InlineData("what is the fastest way to serve requests?")]
    [InlineData("Does it work with C++ extensions?")]
    [InlineData("thoughts?")]
    public void Normalize_PlainQuestion_ComesBackUnchanged(string question)
        => Assert.Equal(question, CasualWording.Normalize(question));

    [Fact]
    public async Task Analyze_CasualQuestion_UnderstoodAsItsPlainWording()
    {
        using var fixture = new AdvisorFixture();
        var index = await ((IndexProvider)fixture.Services.GetService(typeof(IndexProvider))!).GetAsync();
        var topic = fixture.Advisor.Topic;

        var casual = QuestionAnalyzer.Analyze("gonna sell stuff online, need a shop + admin, thoughts?", index, topic);
        var plain = QuestionAnalyzer.Analyze("going to sell stuff online, need a shop and admin", index, topic);

        Assert.Equal(plain.Text, casual.Text);
        Assert.Equal(plain.Kind, casual.Kind);
        Assert.Equal(plain.Terms, casual.Terms);
    }
}
