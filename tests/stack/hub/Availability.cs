using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace ClinicalHub;

/// <summary>What a user says about herself: a status, and for Do not disturb the time it ends.</summary>
public sealed record AvailabilityRecord(string Status, string? Until, string SetAt);

/// <summary>The availability each user last set, kept per user (not per device) while the hub runs.</summary>
public sealed partial class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, AvailabilityRecord> _availability = new();

    public void SetAvailability(string userId, AvailabilityRecord record) => _availability[userId] = record;

    /// <summary>The user's availability; a Do not disturb whose time has passed is cleared here.</summary>
    public AvailabilityRecord? AvailabilityOf(string userId)
    {
        if (!_availability.TryGetValue(userId, out var record)) return null;
        if (record.Until is { } until && DateTimeOffset.Parse(until, CultureInfo.InvariantCulture) <= DateTimeOffset.UtcNow)
        {
            _availability.TryRemove(KeyValuePair.Create(userId, record));
            return null;
        }
        return record;
    }

    /// <summary>Clears the record if it is still this one; true when it was.</summary>
    public bool ClearAvailability(string userId, AvailabilityRecord record) =>
        _availability.TryRemove(KeyValuePair.Create(userId, record));
}

/// <summary>Tells colleagues when a Do not disturb ends, so their view clears at the time without asking.</summary>
public sealed class AvailabilityExpiry(IHubContext<ClinicalHub> hub, Store store, ConnectionRegistry registry)
{
    public void Schedule(string userId, AvailabilityRecord record, TimeSpan after)
    {
        _ = Task.Run(async () =>
        {
            await Task.Delay(after);
            if (!registry.ClearAvailability(userId, record)) return;
            await hub.Clients.Clients(registry.ConnectionsOf(store.UsersSharingWith(userId).Append(userId)))
                .SendAsync("Presence", registry.Presence(userId));
        });
    }
}

public sealed partial class ClinicalHub
{
    public static readonly string[] AvailabilityStatuses = ["available", "busy", "in_theatre", "off_shift", "dnd"];
    public static readonly TimeSpan MaxDoNotDisturb = TimeSpan.FromHours(24);

    /// <summary>
    /// Sets the caller's availability for all her devices and pushes it with her presence. Do not disturb needs an
    /// `until` in the future and at most 24 hours ahead; the other statuses take none.
    /// </summary>
    public async Task<object> SetAvailability(JsonElement arg)
    {
        var a = new Args(arg);
        _ = DeviceId;
        var status = a.OneOf("status", AvailabilityStatuses);
        var untilText = a.OptString("until", 64);
        string? until = null;
        var now = DateTimeOffset.UtcNow;
        if (status == "dnd")
        {
            if (untilText is null) throw HubErrors.Invalid("'until' is required for Do not disturb");
            if (!DateTimeOffset.TryParse(untilText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var end))
                throw HubErrors.Invalid("'until' must be an ISO 8601 timestamp");
            if (end <= now) throw HubErrors.Invalid("'until' must be in the future");
            if (end > now + MaxDoNotDisturb + TimeSpan.FromSeconds(config.ClockSkewSeconds))
                throw HubErrors.Invalid("'until' must be at most 24 hours ahead");
            until = end.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var record = new AvailabilityRecord(status, until, Clock.Now());
            registry.SetAvailability(UserId, record);
            Context.GetHttpContext()!.RequestServices.GetRequiredService<AvailabilityExpiry>().Schedule(UserId, record, end - now);
        }
        else
        {
            if (untilText is not null) throw HubErrors.Invalid("'until' is only for Do not disturb");
            registry.SetAvailability(UserId, new AvailabilityRecord(status, null, Clock.Now()));
        }
        var presence = registry.Presence(UserId);
        await Clients.Clients(registry.ConnectionsOf(store.UsersSharingWith(UserId).Append(UserId), except: Context.ConnectionId))
            .SendAsync("Presence", presence);
        return new { presence };
    }
}
