using System.Text.RegularExpressions;

namespace ChatAdvisor.Core.Answering;

/// <summary>
/// Rewrites chat shorthand into the plain English the articles are written in, so a casually worded question finds what
/// its clean wording finds: informal contractions ("gonna", "wanna"), chat abbreviations ("u", "pls", "w/"), "+" and
/// "&amp;" between words, and a closing request for opinions ("thoughts?", "any ideas?") that asks nothing of its own.
/// Everyday phrasing of time is said plainly too: "at the same time" is "simultaneously", and "fast" about getting
/// something done ("the fastest way to build", "gets me running fastest") is "quick", so neither reads as how fast
/// something runs.
/// </summary>
/// <remarks>General English only; nothing here knows the topic. Thread-safe.</remarks>
public static partial class CasualWording
{
    private static readonly Dictionary<string, string> Shorthand = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gonna"] = "going to",
        ["wanna"] = "want to",
        ["gotta"] = "have to",
        ["hafta"] = "have to",
        ["kinda"] = "kind of",
        ["sorta"] = "sort of",
        ["dunno"] = "do not know",
        ["u"] = "you",
        ["ur"] = "your",
        ["pls"] = "please",
        ["plz"] = "please",
        ["thx"] = "thanks",
        ["w/"] = "with",
        ["w/o"] = "without",
        ["b/c"] = "because",
        ["imo"] = "",
        ["imho"] = "",
        ["tbh"] = "",
        ["idk"] = "I do not know",
        ["n"] = "and",
        ["r"] = "are",
        ["wat"] = "what",
        ["whats"] = "what is",
        ["smth"] = "something",
        ["sth"] = "something",
        ["abt"] = "about",
        ["bc"] = "because",
        ["ppl"] = "people",
        ["req"] = "request",
        ["reqs"] = "requests",
        ["yo"] = "",
        ["tho"] = "though",
    };

    /// <summary>The question with chat shorthand written out; a question without any comes back unchanged.</summary>
    public static string Normalize(string question)
    {
        var text = ClosingRequest().Replace(question, "");
        text = WordPlus().Replace(text, " and ");
        text = Token().Replace(text, m => Shorthand.TryGetValue(m.Value, out var plain) ? plain : m.Value);
        text = SameTime().Replace(text, "simultaneously");
        text = SoonDone().Replace(text, m => Quick(m.Groups["fast"]));
        text = SoonDoneAfter().Replace(text, m => m.Value[..(m.Groups["fast"].Index - m.Index)] + Quick(m.Groups["fast"]));
        text = Spaces().Replace(text, " ").Trim();
        // A question that was only shorthand keeps its own words.
        return text.Length == 0 ? question : text;
    }

    // "thousands of users connected at the same time": at once, not a matter of time.
    [GeneratedRegex(@"\bat the (very )?same time\b", RegexOptions.IgnoreCase)]
    private static partial Regex SameTime();

    /// <summary>"fast", "faster", "fastest" as "quick", "quicker", "quickest": the speed of getting something done.</summary>
    private static string Quick(Group fast)
        => (char.IsUpper(fast.Value[0]) ? "Quick" : "quick") + fast.Value[4..];

    // "the fastest way to build", "fastest to set up": how soon something is done, not how fast it runs.
    [GeneratedRegex(@"\b(?<fast>fast|faster|fastest)(?=\s+(way\s+)?to\s+(build|ship|get|set|start|launch|develop|code|write|prototype|deliver|spin|put|throw|learn|pick))", RegexOptions.IgnoreCase)]
    private static partial Regex SoonDone();

    // "gets me running fastest", "up and running faster", "ship it fast.": the same, said after what is to be done.
    [GeneratedRegex(@"\b(running|started|going|shipped|shipping|launched|delivered|built|done|out the door|off the ground|(build|ship|develop|launch|prototype|deliver|code|write)\w*\s+(it|this|that|something|stuff|things|one|them))\s+(the\s+)?(?<fast>fast|faster|fastest)\b(?!\s+\w)", RegexOptions.IgnoreCase)]
    private static partial Regex SoonDoneAfter();

    // ", thoughts?" / "- any ideas?" / "… what do you think?" at the end, after something else was asked.
    [GeneratedRegex(@"(?<=\S)[\s,;:\-–—]+(any\s+)?(thoughts|ideas|advice|suggestions|recommendations|opinions)\s*\??\s*$|(?<=\S)[\s,;:\-–—]+what\s+do\s+you\s+(think|reckon|suggest)\s*\??\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex ClosingRequest();

    // "shop + admin", "auth & admin": a symbol standing for "and" between two words.
    [GeneratedRegex(@"(?<=\w)\s*[+&]\s*(?=\w)|(?<=\w)\s+[+&]\s+")]
    private static partial Regex WordPlus();

    // A word, or a shorthand with a slash ("w/", "b/c").
    [GeneratedRegex(@"(?<![\w/])(w/o|w/|b/c|[A-Za-z]+)(?![\w/])")]
    private static partial Regex Token();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
