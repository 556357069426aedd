// The IdP's sign-in page: a real form that checks the seeded staff's passwords. Consent is granted
// without asking, as Azure AD does for a first-party client with admin consent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { checkPassword } from './users';

const MAX_FORM_BYTES = 16 * 1024;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderLoginPage(opts: { action: string; username?: string; error?: string }): string {
  const error = opts.error
    ? `<p id="login-error" role="alert" class="error">${escapeHtml(opts.error)}</p>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Sign in - Clinical Messenger test directory</title>
  <style>
    body { font-family: sans-serif; max-width: 24rem; margin: 4rem auto; }
    label, input, button { display: block; width: 100%; margin-top: .5rem; }
    .error { color: #a00; font-weight: bold; }
  </style>
</head>
<body>
  <main>
    <h1>Sign in</h1>
    ${error}
    <form method="post" action="${escapeHtml(opts.action)}">
      <label for="username">Username</label>
      <input id="username" name="username" type="text" autocomplete="username" required autofocus value="${escapeHtml(opts.username ?? '')}">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">Sign in</button>
      <button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
    </form>
  </main>
</body>
</html>`;
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // form-action also governs the redirects after a submit, which end at the app's loopback listener.
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://127.0.0.1:* http://localhost:*",
  });
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_FORM_BYTES) throw new Error('LOGIN_FORM_TOO_LARGE: sign-in form body too large');
  }
  return new URLSearchParams(body);
}

/** Handles GET (show form / auto-consent) and POST (check password) on the interaction URL. */
export async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const action = req.url ?? '';

  if (details.prompt.name === 'consent') {
    const grantId = await grantConsent(provider, details);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  if (details.prompt.name !== 'login') {
    sendHtml(res, 400, `<p>Unsupported prompt: ${escapeHtml(details.prompt.name)}</p>`);
    return;
  }
  if (req.method === 'GET') {
    sendHtml(res, 200, renderLoginPage({ action }));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return;
  }
  const form = await readForm(req);
  if (form.get('action') === 'cancel') {
    // The user declines: the app receives error=access_denied on its redirect, as from Azure AD.
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user cancelled sign-in.' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const username = form.get('username') ?? '';
  const user = checkPassword(username, form.get('password') ?? '');
  if (!user) {
    sendHtml(
      res,
      200,
      renderLoginPage({ action, username, error: 'Wrong username or password. Try again.' }),
    );
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user.id } },
    { mergeWithLastSubmission: false },
  );
}

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

async function grantConsent(provider: Provider, details: InteractionDetails): Promise<string> {
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id;
  if (!accountId || typeof clientId !== 'string')
    throw new Error('CONSENT_WITHOUT_LOGIN: no signed-in account');
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId });
  if (!grant) throw new Error(`CONSENT_GRANT_MISSING: grant ${details.grantId} not found`);
  const missing = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  return grant.save();
}
