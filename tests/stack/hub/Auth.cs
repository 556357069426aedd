using System.Net.Security;
using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Microsoft.IdentityModel.Tokens;

namespace ClinicalHub;

/// <summary>Validates the IdP's RS256 access tokens (issuer, audience, lifetime, signature via its JWKS).</summary>
public static class Auth
{
    public const string HubPath = "/hub";

    public static void AddHubAuthentication(this IServiceCollection services, HubConfig config)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(config.CaFile));
        services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MetadataAddress = config.Issuer.TrimEnd('/') + "/.well-known/openid-configuration";
                o.RequireHttpsMetadata = true;
                o.BackchannelHttpHandler = TrustOnly(ca);
                o.MapInboundClaims = false;
                o.RefreshOnIssuerKeyNotFound = true;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = config.Issuer,
                    ValidAudience = config.Audience,
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ValidateIssuerSigningKey = true,
                    ValidAlgorithms = ["RS256"],
                    ClockSkew = TimeSpan.FromSeconds(config.ClockSkewSeconds),
                    NameClaimType = "oid",
                    RoleClaimType = "roles",
                };
                o.Events = new JwtBearerEvents
                {
                    // WebSocket clients cannot send headers from browsers, so SignalR puts the token in the query.
                    OnMessageReceived = ctx =>
                    {
                        var token = ctx.Request.Query["access_token"].ToString();
                        if (token.Length > 0 && ctx.HttpContext.Request.Path.StartsWithSegments(HubPath)) ctx.Token = token;
                        return Task.CompletedTask;
                    },
                    OnChallenge = async ctx =>
                    {
                        ctx.HandleResponse();
                        var reason = ctx.AuthenticateFailure switch
                        {
                            null => "an access token is required",
                            SecurityTokenExpiredException => "the access token has expired",
                            SecurityTokenInvalidAudienceException => "the access token is not for this hub (audience)",
                            SecurityTokenInvalidIssuerException => "the access token has the wrong issuer",
                            SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
                                "the access token signature is invalid",
                            _ => "the access token is invalid",
                        };
                        ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        ctx.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{reason}\"";
                        ctx.Response.ContentType = "application/json";
                        await ctx.Response.WriteAsync(JsonSerializer.Serialize(new { code = "unauthenticated", message = reason }));
                    },
                };
            });
        services.AddAuthorization();
        services.AddSingleton<IUserIdProvider, OidUserIdProvider>();
    }

    /// <summary>An HTTPS handler that trusts only the given root (the test CA), not the system store.</summary>
    private static HttpClientHandler TrustOnly(X509Certificate2 ca) => new()
    {
        ServerCertificateCustomValidationCallback = (_, cert, _, errors) =>
        {
            if (cert is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(cert);
        },
    };

    public static string? UserId(ClaimsPrincipal? user) =>
        user?.FindFirst("oid")?.Value is { Length: > 0 } oid ? oid : user?.FindFirst("sub")?.Value;

    public static string[] Roles(ClaimsPrincipal? user) =>
        user?.FindAll("roles").Select(c => c.Value).ToArray() ?? [];
}

public sealed class OidUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => Auth.UserId(connection.User);
}
