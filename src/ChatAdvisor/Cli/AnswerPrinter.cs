using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Cli;

/// <summary>Prints an answer for a terminal: the text, then its sources with their quotes, then follow-ups.</summary>
internal static class AnswerPrinter
{
    public static async Task PrintAsync(AdvisorAnswer answer, TextWriter output, bool withConversation, bool color = false)
    {
        await output.WriteLineAsync(answer.Text);
        if (answer.Citations.Count > 0)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync(Style("Sources", "1", color));
            foreach (var c in answer.Citations)
            {
                var where = c.Section is null ? c.Title : $"{c.Title} — {c.Section}";
                await output.WriteLineAsync($"  {Style($"[{c.Id}]", "33;1", color)} {where}");
                await output.WriteLineAsync(Style($"      \"{OneLine(c.Quote)}\"", "2", color));
            }
        }
        if (answer.Suggestions.Count > 0)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync(Style("You could ask next:", "1", color));
            foreach (var s in answer.Suggestions)
                await output.WriteLineAsync($"  • {s}");
        }
        if (withConversation)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync(Style($"conversation: {answer.ConversationId} (continue with --conversation {answer.ConversationId})", "2", color));
        }
    }

    public static string Style(string text, string code, bool color) => color ? $"\u001b[{code}m{text}\u001b[0m" : text;

    private static string OneLine(string text) => string.Join(' ', text.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
}
