using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>
/// The real application with authentication on, and a fake channel on loopback it trusts; subclasses add the
/// settings that make their kind of bot.
/// </summary>
public abstract class BotFixtureBase : IAsyncLifetime
{
    public FakeChannel Channel { get; private set; } = null!;

    public TestServer Bot { get; private set; } = null!;

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Settings beside the channel's own and Trace logging.</summary>
    protected abstract (string Key, string? Value)[] Settings { get; }

    /// <summary>Starts what the settings point at besides the channel (a stub model, for example).</summary>
    protected virtual Task StartPeersAsync() => Task.CompletedTask;

    /// <summary>Stops what <see cref="StartPeersAsync"/> started.</summary>
    protected virtual ValueTask StopPeersAsync() => ValueTask.CompletedTask;

    public async Task InitializeAsync()
    {
        await StartPeersAsync();
        Channel = await FakeChannel.StartAsync();
        var settings = Channel.BotSettings([.. Settings, ("Logging:LogLevel:Default", "Trace")]);
        Bot = await TestServer.StartAsync(settings, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(Logs);
        });
    }

    public async Task DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Channel.DisposeAsync();
        await StopPeersAsync();
    }
}

/// <summary>A multi-tenant bot that serves one allowed tenant.</summary>
public sealed class BotFrameworkFixture : BotFixtureBase
{
    public const string AllowedTenant = FakeChannel.TenantId;

    protected override (string Key, string? Value)[] Settings => [("BotFramework:AllowedTenants:0", AllowedTenant)];
}
