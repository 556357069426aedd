namespace ClinicalHub;

/// <summary>Start-up settings, from `--name value` arguments or CM_HUB_NAME environment variables.</summary>
public sealed record HubConfig(
    string DataDir,
    string Issuer,
    string Audience,
    string CaFile,
    string CertFile,
    string KeyFile,
    string DirectoryFile,
    int Port,
    int MaxEnvelopeBytes,
    double CallsPerSecond,
    double CallBurst,
    int ClockSkewSeconds,
    int DeviceExpiryDays)
{
    public const int ProtocolVersion = 2;
    public const int MaxSyncLimit = 1000;
    public const int DefaultSyncLimit = 500;
    /// <summary>Payload characters one Sync page may carry before it is cut (at least one envelope is always sent).</summary>
    public const int SyncPageChars = 8 * 1024 * 1024;

    /// <summary>SignalR's own frame limit: above the envelope limit so an oversized envelope gets a typed error.</summary>
    public long MaxReceiveMessageBytes => Math.Max(1024 * 1024, 4L * MaxEnvelopeBytes + 64 * 1024);

    /// <summary>A file holding the admin token of `POST /admin/revocations` (Admin.cs); without it that path is off.</summary>
    public string? AdminTokenFile { get; init; }

    /// <summary>A JSON array of IT-signed roster entries seeding roles the database lacks (Roster.cs); optional.</summary>
    public string? RosterFile { get; init; }

    /// <summary>The oldest client version (x.y.z) sends are accepted from, announced in Hello (docs/updates.md); optional.</summary>
    public string? MinimumClientVersion { get; init; }

    private static string? ClientVersion(string? raw) =>
        raw is null or "" ? null
        : System.Text.RegularExpressions.Regex.IsMatch(raw, @"^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$") ? raw
        : throw new ArgumentException("--minimum-client-version must be a version like 1.4.2");

    public static HubConfig Load(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{a}'");
            var eq = a.IndexOf('=');
            if (eq > 0) values[a[2..eq]] = a[(eq + 1)..];
            else if (i + 1 < args.Length) values[a[2..]] = args[++i];
            else throw new ArgumentException($"missing value for '{a}'");
        }

        string? Get(string name) =>
            values.TryGetValue(name, out var v) ? v
            : Environment.GetEnvironmentVariable("CM_HUB_" + name.Replace('-', '_').ToUpperInvariant());
        string Required(string name) =>
            Get(name) is { Length: > 0 } v ? v : throw new ArgumentException($"--{name} (or CM_HUB_{name.Replace('-', '_').ToUpperInvariant()}) is required");
        double Number(string name, double fallback, double min)
        {
            var raw = Get(name);
            if (raw is null) return fallback;
            if (!double.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || v < min)
                throw new ArgumentException($"--{name} must be a number >= {min}");
            return v;
        }

        var cps = Number("calls-per-second", 1000, 0.1);
        return new HubConfig(
            DataDir: Required("data-dir"),
            Issuer: Required("issuer"),
            Audience: Required("audience"),
            CaFile: Required("ca-file"),
            CertFile: Required("cert-file"),
            KeyFile: Required("key-file"),
            DirectoryFile: Required("directory-file"),
            Port: (int)Number("port", 0, 0),
            MaxEnvelopeBytes: (int)Number("max-envelope-bytes", 256 * 1024, 1),
            CallsPerSecond: cps,
            CallBurst: Number("call-burst", Math.Max(10 * cps, 1), 1),
            ClockSkewSeconds: (int)Number("clock-skew-seconds", 30, 0),
            DeviceExpiryDays: (int)Number("device-expiry-days", 90, 1))
        { AdminTokenFile = Get("admin-token-file"), RosterFile = Get("roster-file"),
          MinimumClientVersion = ClientVersion(Get("minimum-client-version")) };
    }
}
