using ChatAdvisor.Cli;
using ChatAdvisor.Hosting;

// With a verb (ask, chat, index, eval) the executable runs that command and exits;
// with no arguments it serves the API, the channels and the web chat page.
if (args.Length > 0 && CliVerbs.IsVerb(args[0]))
    return await CliVerbs.RunAsync(args);

var app = ChatAdvisorApp.Build(args);
await app.RunAsync();
return 0;

/// <summary>The entry point; public so tests can locate the assembly.</summary>
public partial class Program;
