using System.Diagnostics;
using System.Threading.RateLimiting;

namespace ChatAdvisor.Storage;

/// <summary>
/// A fixed-window rate limit counted in <see cref="IChannelMemory"/>, so that with several replicas a client's requests
/// count against one limit wherever they land. One limiter serves one client of one policy; each request adds one to the
/// counter of the current window (<c>{client}@{window start}</c>) in one database round trip.
/// </summary>
/// <remarks>
/// The synchronous attempt always declines without counting: a count needs the database, so the rate-limiting
/// middleware goes on to <see cref="AcquireAsyncCore"/>, which counts. Nothing is queued.
/// </remarks>
public sealed class SharedRateLimiter(IChannelMemory memory, TimeProvider time, string policy, string client, int permitLimit, TimeSpan window)
    : RateLimiter
{
    private static readonly RateLimitLease Declined = new Lease(acquired: false, retryAfter: null);
    private static readonly RateLimitLease Granted = new Lease(acquired: true, retryAfter: null);

    private long _lastUsed = Stopwatch.GetTimestamp();

    /// <summary>
    /// The time since the last request: the limiter keeps no state of its own, so the partitioned limiter may drop it once
    /// a client goes quiet (otherwise one limiter per client address seen would be kept for ever).
    /// </summary>
    public override TimeSpan? IdleDuration => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics() => null;

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => permitCount == 0 ? Granted : Declined;

    /// <inheritdoc />
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (permitCount == 0)
            return Granted;
        Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long windowMs = (long)window.TotalMilliseconds;
        long windowStart = now - now % windowMs;
        long count = await memory.IncrementAsync("rate:" + policy, $"{client}@{windowStart}", window, cancellationToken);
        return count <= permitLimit ? Granted : new Lease(acquired: false, TimeSpan.FromMilliseconds(windowStart + windowMs - now));
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
