using Microsoft.AspNetCore.SignalR;

namespace ClinicalHub;

/// <summary>A per-connection token bucket: `rate` calls per second on average, bursts up to `capacity`.</summary>
public sealed class TokenBucket(double rate, double burst)
{
    private readonly double _capacity = burst;
    private readonly Lock _lock = new();
    private double _tokens = burst;
    private long _last = Environment.TickCount64;

    public bool TryTake(out int retryAfterMs)
    {
        lock (_lock)
        {
            var now = Environment.TickCount64;
            _tokens = Math.Min(_capacity, _tokens + (now - _last) * rate / 1000.0);
            _last = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                retryAfterMs = 0;
                return true;
            }
            retryAfterMs = (int)Math.Ceiling((1 - _tokens) * 1000.0 / rate);
            return false;
        }
    }
}

/// <summary>
/// Runs before every hub method: rate limit, revoked-device and device-binding checks, and turning any
/// unexpected failure into a typed `internal` error so one bad call never disturbs the connection.
/// </summary>
public sealed class CallGate(ConnectionRegistry registry, ILogger<CallGate> log) : IHubFilter
{
    private static readonly HashSet<string> WithoutDevice =
        ["Hello", "GetRegistrationChallenge", "RegisterDevice", "ListDevices", "GetUserKeys", "SearchUsers", "GetUsers", "GetPresence", "GetRevocation", "GetRoster"];

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext ctx, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var state = registry.Get(ctx.Context.ConnectionId) ?? throw HubErrors.Internal();
        FaultEndpoints.CountCall(state.UserId, ctx.HubMethodName);
        if (!state.Bucket.TryTake(out var retryAfterMs)) throw HubErrors.RateLimited(retryAfterMs);
        if (state.Revoked) throw HubErrors.DeviceRevoked(state.DeviceId ?? "");
        if (state.DeviceId is null && !WithoutDevice.Contains(ctx.HubMethodName)) throw HubErrors.DeviceRequired();
        try
        {
            return await next(ctx);
        }
        catch (HubException)
        {
            throw;
        }
        catch (Exception ex)
        {
            log.LogError(ex, "hub method {Method} failed", ctx.HubMethodName);
            throw HubErrors.Internal();
        }
    }
}
