/**
 * The renderer's Content-Security-Policy: sent as a response header by the app protocol and written into
 * index.html at build time. No remote content, no inline script, no eval; WASM compilation only.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  // cm-document: serves verified document bytes only (src/main/shell/app-protocol.ts).
  "img-src 'self' blob: data: cm-document:",
  "font-src 'self'",
  "connect-src 'self' cm-document:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
