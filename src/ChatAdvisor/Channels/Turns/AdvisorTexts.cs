using System.Text;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Channels;

/// <summary>
/// What the bot says on every channel outside its answers: the welcome, the hint for an empty message, the apology
/// when answering failed, the status while it searches, and the starter questions. One place, in Markdown; each
/// channel's renderer turns it into its own format. The texts come from the advisor's topic, so a corpus about
/// another comparison only changes what this class reads. Thread-safe.
/// </summary>
public sealed class AdvisorTexts(Advisor advisor, ILogger<AdvisorTexts> logger)
{
    /// <summary>Questions to start with (welcome, empty message).</summary>
    public IReadOnlyList<string> StarterQuestions => advisor.StarterQuestions;

    /// <summary>The reply to a message with no question in it.</summary>
    public string EmptyQuestion => advisor.Topic.Say("Your message is empty. Ask me a question about choosing between {entities}, for example:");

    /// <summary>What the user sees when answering failed; the reason stays in the server's log.</summary>
    public string Failure => advisor.Topic.Say(advisor.Topic.Texts.Failure);

    /// <summary>Shown while the passages are searched, before the answer starts to stream.</summary>
    public string Searching => "Searching the articles…";

    /// <summary>Shown when a conversation already has as many questions waiting as it may.</summary>
    public string TooManyQuestions => "Too many questions at once: wait for the answers to the earlier ones, then ask again.";

    /// <summary>
    /// The first message of a conversation: what the advisor does, the articles it answers from (with author and
    /// publisher when known) and an invitation to pick a starter question.
    /// </summary>
    public async Task<string> WelcomeAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<Article> articles;
        try
        {
            articles = await advisor.GetArticlesAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The welcome still goes out, without the list.
            TurnsLog.ArticlesUnavailable(logger, exception.GetType().Name);
            articles = [];
        }
        return Welcome(advisor.WelcomeText, articles);
    }

    /// <summary>The welcome: the topic's <paramref name="greeting"/>, then <paramref name="articles"/>.</summary>
    public static string Welcome(string greeting, IReadOnlyList<Article> articles)
    {
        var text = new StringBuilder(greeting).Append(' ');
        if (articles.Count == 0)
        {
            text.Append("My article collection is empty right now, so I cannot answer yet.");
            return text.ToString();
        }
        text.Append("I answer only from these articles, and every claim cites the passage it comes from:\n\n");
        foreach (var article in articles)
        {
            text.Append("- ").Append(MarkdownText.Escape(article.Title));
            var by = string.Join(", ", new[] { article.Author, article.Publisher }.Where(s => !string.IsNullOrWhiteSpace(s)));
            if (by.Length > 0)
                text.Append(" (").Append(MarkdownText.Escape(by)).Append(')');
            text.Append('\n');
        }
        text.Append("\nPick a question below or ask your own.");
        return text.ToString();
    }
}
