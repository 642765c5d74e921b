namespace ChatAdvisor.Api;

/// <summary>Maps <c>/</c>.</summary>
public static class HomePage
{
    /// <summary>A minimal page that says where the API is.</summary>
    public static IEndpointRouteBuilder MapHomePage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => TypedResults.Content(
            """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>ChatAdvisor</title></head>
            <body><h1>ChatAdvisor</h1><p>Ask with <code>POST /api/ask</code> and a JSON body such as
            <code>{"question": "Which framework for an ML inference API?"}</code>.</p></body></html>
            """, "text/html; charset=utf-8"));
        return app;
    }
}
