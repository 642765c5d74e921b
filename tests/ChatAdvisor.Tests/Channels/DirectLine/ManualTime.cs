namespace ChatAdvisor.Tests.Channels.DirectLine;

/// <summary>
/// A clock the test moves by hand, so token expiry and idle conversations are tested without waiting. Unlike
/// ManualTimeProvider it also drives <see cref="TimeProvider.GetTimestamp"/>, which measures idle time.
/// </summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => _now += by;
}
