using ChatAdvisor.Core;
using ChatAdvisor.Hosting;
using Microsoft.Extensions.Logging.Console;

namespace ChatAdvisor.Cli;

/// <summary>
/// The services of the server without the web part, for the CLI verbs: the same settings (appsettings.json,
/// environment variables), the same index cache and conversation store. Logs go to stderr, warnings and up.
/// </summary>
internal sealed class CliHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string? _temporaryStorage;

    private CliHost(IHost host, string contentRoot, string? temporaryStorage)
    {
        _host = host;
        ContentRoot = contentRoot;
        _temporaryStorage = temporaryStorage;
    }

    public IServiceProvider Services => _host.Services;

    public Advisor Advisor => _host.Services.GetRequiredService<Advisor>();

    public string ContentRoot { get; }

    /// <summary>Creates and starts the host. With <paramref name="isolatedStorage"/> it uses a fresh temporary storage folder.</summary>
    public static CliHost Create(bool isolatedStorage = false)
    {
        var contentRoot = Hosting.ContentRoot.Locate();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = contentRoot, Args = [] });
        string? temporary = null;
        if (isolatedStorage)
        {
            temporary = Path.Combine(Path.GetTempPath(), "chatadvisor-eval-" + Guid.NewGuid().ToString("N"));
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Path"] = temporary, ["Corpus:WatchForChanges"] = "false" });
        }
        else
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Corpus:WatchForChanges"] = "false" });
        }
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter((category, level) => level >= LogLevel.Warning);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddChatAdvisor(builder.Configuration, contentRoot);
        // A verb loads what it needs when it needs it; the server's warm-up would train the understanding models in the
        // background of a verb that may not use them (and stop under it).
        foreach (var warmup in builder.Services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(Core.IndexWarmup)).ToList())
            builder.Services.Remove(warmup);
        var host = builder.Build();
        host.Start();
        return new CliHost(host, contentRoot, temporary);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        if (_temporaryStorage is not null && Directory.Exists(_temporaryStorage))
        {
            try
            {
                Directory.Delete(_temporaryStorage, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is harmless.
            }
        }
    }
}
