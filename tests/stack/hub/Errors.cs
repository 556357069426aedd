using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace ClinicalHub;

/// <summary>Typed hub errors: the HubException message is JSON {"code","message"} (see docs/hub-protocol.md).</summary>
public static class HubErrors
{
    // camelCase for the records an error may carry (stale_recipients' `current` list), as in hub results.
    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web);

    public static HubException Make(string code, string message, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["code"] = code, ["message"] = message };
        if (extra is not null)
            foreach (var p in extra.GetType().GetProperties()) body[p.Name] = p.GetValue(extra);
        return new HubException(JsonSerializer.Serialize(body, BodyJson));
    }

    public static HubException Invalid(string message) => Make("invalid", message);
    public static HubException TooLarge(string message) => Make("too_large", message);
    public static HubException NotFound(string message) => Make("not_found", message);
    public static HubException Forbidden(string message) => Make("forbidden", message);
    public static HubException Conflict(string message) => Make("conflict", message);
    public static HubException DeviceRequired() =>
        Make("device_required", "this call needs a device: call Hello({ deviceId }) or RegisterDevice first");
    public static HubException DeviceRevoked(string deviceId) => Make("device_revoked", $"device {deviceId} has been revoked");
    public static HubException RateLimited(int retryAfterMs) =>
        Make("rate_limited", "too many calls on this connection", new { retryAfterMs });
    /// <summary>The conversation key does not cover the current members at their current user-key epochs.</summary>
    public static HubException StaleRecipients(string message, IReadOnlyList<MemberEpoch> current) =>
        Make("stale_recipients", message, new { current });
    public static HubException Internal() => Make("internal", "the hub failed to handle this call");
}

/// <summary>Reads one method's argument object, turning every shape problem into an `invalid` error.</summary>
public readonly struct Args
{
    private readonly JsonElement _obj;

    public Args(JsonElement arg)
    {
        if (arg.ValueKind != JsonValueKind.Object) throw HubErrors.Invalid("the argument must be a JSON object");
        _obj = arg;
    }

    private JsonElement? Field(string name) =>
        _obj.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? v : null;

    public string? OptString(string name, int maxLength)
    {
        if (Field(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.String) throw HubErrors.Invalid($"'{name}' must be a string");
        var s = v.GetString()!;
        if (s.Length == 0 || s.Length > maxLength) throw HubErrors.Invalid($"'{name}' must be 1..{maxLength} characters");
        return s;
    }

    public string String(string name, int maxLength) =>
        OptString(name, maxLength) ?? throw HubErrors.Invalid($"'{name}' is required");

    /// <summary>An identifier: letters, digits and . _ : - only.</summary>
    public string Id(string name) => CheckId(name, String(name, 128));

    public string? OptId(string name) => OptString(name, 128) is { } s ? CheckId(name, s) : null;

    public static string CheckId(string name, string s)
    {
        foreach (var c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-'))
                throw HubErrors.Invalid($"'{name}' may contain only letters, digits and . _ : -");
        return s;
    }

    public string Uuid(string name)
    {
        var s = String(name, 36);
        if (s.Length != 36 || !Guid.TryParseExact(s, "D", out _)) throw HubErrors.Invalid($"'{name}' must be a UUID");
        return s.ToLowerInvariant();
    }

    public string? OptUuid(string name) => Field(name) is null ? null : Uuid(name);

    public long? OptLong(string name, long min, long max)
    {
        if (Field(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n)) throw HubErrors.Invalid($"'{name}' must be an integer");
        if (n < min || n > max) throw HubErrors.Invalid($"'{name}' must be between {min} and {max}");
        return n;
    }

    public long Long(string name, long min, long max) =>
        OptLong(name, min, max) ?? throw HubErrors.Invalid($"'{name}' is required");

    public bool? OptBool(string name)
    {
        if (Field(name) is not { } v) return null;
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw HubErrors.Invalid($"'{name}' must be a boolean");
        return v.GetBoolean();
    }

    public bool Bool(string name)
    {
        if (Field(name) is not { } v) throw HubErrors.Invalid($"'{name}' is required");
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw HubErrors.Invalid($"'{name}' must be a boolean");
        return v.GetBoolean();
    }

    /// <summary>A conversation key id: 32 lower-case hex characters (the first 16 bytes of the key's BLAKE2b-256).</summary>
    public string KeyId(string name) => CheckKeyId(name, String(name, 32));

    public string? OptKeyId(string name) => OptString(name, 32) is { } s ? CheckKeyId(name, s) : null;

    public static string CheckKeyId(string name, string s)
    {
        if (s.Length != 32 || !s.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            throw HubErrors.Invalid($"'{name}' must be 32 lower-case hex characters");
        return s;
    }

    /// <summary>An optional list of key ids (null when absent: "all of them").</summary>
    public List<string>? OptKeyIdArray(string name, int maxItems)
    {
        if (Field(name) is null) return null;
        var list = new List<string>();
        foreach (var item in Array(name, maxItems))
        {
            if (item.ValueKind != JsonValueKind.String) throw HubErrors.Invalid($"'{name}' must hold key ids");
            list.Add(CheckKeyId(name, item.GetString()!));
        }
        return list;
    }

    /// <summary>A nested object field (null when absent or null).</summary>
    public Args? OptObject(string name)
    {
        if (Field(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Object) throw HubErrors.Invalid($"'{name}' must be an object or null");
        return new Args(v);
    }

    public string OneOf(string name, params string[] allowed)
    {
        var s = String(name, 64);
        if (!allowed.Contains(s)) throw HubErrors.Invalid($"'{name}' must be one of: {string.Join(", ", allowed)}");
        return s;
    }

    public List<JsonElement> Array(string name, int maxItems, bool required = true)
    {
        if (Field(name) is not { } v)
            return required ? throw HubErrors.Invalid($"'{name}' is required") : [];
        if (v.ValueKind != JsonValueKind.Array) throw HubErrors.Invalid($"'{name}' must be an array");
        var items = v.EnumerateArray().ToList();
        if (items.Count > maxItems) throw HubErrors.Invalid($"'{name}' may hold at most {maxItems} items");
        return items;
    }

    public List<string> IdArray(string name, int maxItems)
    {
        var list = new List<string>();
        foreach (var item in Array(name, maxItems))
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 and <= 128 } s)
                throw HubErrors.Invalid($"'{name}' must hold strings of 1..128 characters");
            list.Add(CheckId(name, s));
        }
        return list.Distinct().ToList();
    }

    /// <summary>Standard base64 with padding; `too_large` when the decoded size passes maxBytes.</summary>
    public string Base64(string name, int maxBytes)
    {
        if (Field(name) is not { } v) throw HubErrors.Invalid($"'{name}' is required");
        if (v.ValueKind != JsonValueKind.String) throw HubErrors.Invalid($"'{name}' must be a base64 string");
        var s = v.GetString()!;
        if (s.Length == 0 || s.Length % 4 != 0) throw HubErrors.Invalid($"'{name}' is not valid base64");
        var padding = s.EndsWith("==", StringComparison.Ordinal) ? 2 : s.EndsWith('=') ? 1 : 0;
        var bytes = (long)s.Length / 4 * 3 - padding;
        if (bytes > maxBytes) throw HubErrors.TooLarge($"'{name}' is {bytes} bytes; the limit is {maxBytes}");
        for (var i = 0; i < s.Length - padding; i++)
        {
            var c = s[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/')) throw HubErrors.Invalid($"'{name}' is not valid base64");
        }
        return s;
    }

    public static string ValidateTimestamp(string name, string s)
    {
        if (!DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.RoundtripKind, out _))
            throw HubErrors.Invalid($"'{name}' must be an ISO 8601 timestamp");
        return s;
    }
}

public static class Clock
{
    public static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
