using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Retrieval;

namespace ChatAdvisor.Core.Tests.Answering.Llm;

/// <summary>Passages about the three frameworks, shaped like retrieval results.</summary>
internal static class LlmTestData
{
    public static readonly string[] Passages =
    [
        "FastAPI is built on Starlette and Pydantic and is one of the fastest Python frameworks available.",
        "Django ships with an ORM, an admin interface and authentication, which suits large applications.",
        "Flask is a lightweight micro-framework that leaves the choice of database and structure to you.",
        "FastAPI generates interactive API documentation automatically from type hints.",
    ];

    public static IReadOnlyList<SearchHit> Hits(int count = 4, int tokensEach = 40)
    {
        var hits = new List<SearchHit>();
        for (var i = 0; i < count; i++)
        {
            var text = Passages[i % Passages.Length];
            var start = 100 * i;
            var chunk = new Chunk(i, $"article-{i % 3}", $"Article {i % 3}", i % 2 == 0 ? "Performance" : null, start, start + text.Length, text, tokensEach);
            hits.Add(new SearchHit(chunk, 10 - i));
        }
        return hits;
    }
}
