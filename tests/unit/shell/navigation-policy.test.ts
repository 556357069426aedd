import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isAllowedExternalUrl,
  isTrustedRendererUrl,
  resolveRendererAsset,
} from '../../../src/main/shell/navigation-policy';

describe('which frames may call main', () => {
  it('trusts only the app page (and the dev server in development)', () => {
    expect(isTrustedRendererUrl('app://renderer/index.html', undefined)).toBe(true);
    expect(isTrustedRendererUrl('https://evil.example/', undefined)).toBe(false);
    expect(isTrustedRendererUrl('file:///tmp/index.html', undefined)).toBe(false);
    expect(isTrustedRendererUrl('app://other/index.html', undefined)).toBe(false);
    expect(isTrustedRendererUrl(undefined, undefined)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5173/', undefined)).toBe(false);
  });
});

describe('external links', () => {
  const allow = ['https://intranet.hospital.example'];
  it('opens only allowlisted https origins', () => {
    expect(isAllowedExternalUrl('https://intranet.hospital.example/guides/x', allow)).toBe(true);
    expect(isAllowedExternalUrl('http://intranet.hospital.example/', allow)).toBe(false);
    expect(isAllowedExternalUrl('https://intranet.hospital.example.evil.example/', allow)).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)', allow)).toBe(false);
    expect(isAllowedExternalUrl('not a url', allow)).toBe(false);
  });
});

describe('app:// asset resolution', () => {
  const root = mkdtempSync(join(tmpdir(), 'cm-renderer-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  it('serves files inside the renderer folder with their content type', () => {
    expect(resolveRendererAsset(root, 'app://renderer/')).toEqual({
      file: join(root, 'index.html'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(resolveRendererAsset(root, 'app://renderer/assets/a.js')?.contentType).toBe(
      'text/javascript; charset=utf-8',
    );
  });
  it('refuses traversal, other hosts and unknown file types', () => {
    expect(resolveRendererAsset(root, 'app://renderer/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveRendererAsset(root, 'app://renderer/..%2F..%2Fetc%2Fpasswd.js')).toBeNull();
    expect(resolveRendererAsset(root, 'app://elsewhere/index.html')).toBeNull();
    expect(resolveRendererAsset(root, 'app://renderer/secrets.db')).toBeNull();
  });
});
