using System.Collections.Concurrent;
using System.Text.Json;

namespace ClinicalHub;

public sealed record UserRecord(string Id, string Username, string DisplayName, string[] Roles, string Department);

/// <summary>The hospital's staff directory, seeded from a JSON file at start (public data only).</summary>
public sealed class UserDirectory
{
    private readonly Dictionary<string, UserRecord> _users;

    public UserDirectory(string file)
    {
        var list = JsonSerializer.Deserialize<List<UserRecord>>(File.ReadAllText(file), new JsonSerializerOptions(JsonSerializerDefaults.Web))
                   ?? throw new InvalidDataException($"{file} holds no user list");
        foreach (var u in list)
            if (string.IsNullOrEmpty(u.Id) || string.IsNullOrEmpty(u.Username) || u.Roles is null || u.DisplayName is null || u.Department is null)
                throw new InvalidDataException($"{file}: every user needs id, username, displayName, roles and department");
        _users = list.ToDictionary(u => u.Id);
    }

    public UserRecord? Get(string id) => _users.GetValueOrDefault(id);

    public List<UserRecord> Search(string query, int limit)
    {
        var terms = query.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        bool Matches(UserRecord u, string t) =>
            u.Username.Contains(t, StringComparison.OrdinalIgnoreCase) || u.DisplayName.Contains(t, StringComparison.OrdinalIgnoreCase)
            || u.Department.Contains(t, StringComparison.OrdinalIgnoreCase) || u.Roles.Any(r => r.Contains(t, StringComparison.OrdinalIgnoreCase));
        return _users.Values.Where(u => terms.All(t => Matches(u, t)))
            .OrderBy(u => u.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(u => u.Id, StringComparer.Ordinal)
            .Take(limit).ToList();
    }
}

/// <summary>One live SignalR connection: its user, the device it is bound to, and its call budget.</summary>
public sealed class ConnectionState(string connectionId, string userId, TokenBucket bucket)
{
    public string ConnectionId { get; } = connectionId;
    public string UserId { get; } = userId;
    public TokenBucket Bucket { get; } = bucket;
    public volatile string? DeviceId;
    public volatile bool Revoked;
    private RegistrationChallenge? _challenge;

    /// <summary>Issues a fresh registration challenge for this connection (replacing any earlier one).</summary>
    public RegistrationChallenge NewChallenge()
    {
        var challenge = RegistrationChallenge.Create();
        Interlocked.Exchange(ref _challenge, challenge);
        return challenge;
    }

    /// <summary>Takes this connection's challenge, if any: a challenge is used at most once, whatever the outcome.</summary>
    public RegistrationChallenge? TakeChallenge() => Interlocked.Exchange(ref _challenge, null);
}

public sealed record PresenceRecord(string UserId, bool Online, string? LastSeen, AvailabilityRecord? Availability);

/// <summary>Live connections and the presence they imply (a user is online while a device-bound connection is open).</summary>
public sealed partial class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ConnectionState> _connections = new();
    private readonly ConcurrentDictionary<string, string> _lastSeen = new();
    private readonly Lock _presenceLock = new();

    public void Add(ConnectionState state) => _connections[state.ConnectionId] = state;

    public ConnectionState? Get(string connectionId) => _connections.GetValueOrDefault(connectionId);

    private bool IsOnline(string userId) =>
        _connections.Values.Any(c => c.UserId == userId && c.DeviceId is not null && !c.Revoked);

    /// <summary>Binds a connection to a device; true when this made its user come online.</summary>
    public bool Bind(ConnectionState state, string deviceId)
    {
        lock (_presenceLock)
        {
            var wasOnline = IsOnline(state.UserId);
            state.DeviceId = deviceId;
            return !wasOnline && IsOnline(state.UserId);
        }
    }

    /// <summary>Removes a connection; true when its user went offline because of it.</summary>
    public bool Remove(string connectionId)
    {
        lock (_presenceLock)
        {
            if (!_connections.TryRemove(connectionId, out var state)) return false;
            _lastSeen[state.UserId] = Clock.Now();
            return state.DeviceId is not null && !state.Revoked && !IsOnline(state.UserId);
        }
    }

    /// <summary>Marks a device's connections revoked; returns their ids and whether the user went offline.</summary>
    public (List<string> ConnectionIds, bool WentOffline) Revoke(string userId, string deviceId)
    {
        lock (_presenceLock)
        {
            var wasOnline = IsOnline(userId);
            var ids = new List<string>();
            foreach (var c in _connections.Values.Where(c => c.DeviceId == deviceId))
            {
                c.Revoked = true;
                ids.Add(c.ConnectionId);
            }
            if (ids.Count > 0) _lastSeen[userId] = Clock.Now();
            return (ids, wasOnline && !IsOnline(userId));
        }
    }

    /// <summary>Device-bound, unrevoked connections of these users, optionally leaving one connection out.</summary>
    public List<string> ConnectionsOf(IEnumerable<string> userIds, string? except = null)
    {
        var set = userIds.ToHashSet();
        return _connections.Values
            .Where(c => set.Contains(c.UserId) && c.DeviceId is not null && !c.Revoked && c.ConnectionId != except)
            .Select(c => c.ConnectionId).ToList();
    }

    /// <summary>Unrevoked connections bound to this one device.</summary>
    public List<string> ConnectionsOfDevice(string deviceId) =>
        _connections.Values.Where(c => c.DeviceId == deviceId && !c.Revoked).Select(c => c.ConnectionId).ToList();

    public PresenceRecord Presence(string userId) =>
        new(userId, IsOnline(userId), _lastSeen.GetValueOrDefault(userId), AvailabilityOf(userId));
}
