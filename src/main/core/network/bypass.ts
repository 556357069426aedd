/**
 * Whether `host` is on a bypass list. An entry is a host name or IP address (exact), or a domain written
 * `.hospital.example` or `*.hospital.example` (the domain and every name below it). Case does not matter.
 */
export function bypasses(list: readonly string[], host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return list.some((raw) => {
    const entry = raw.toLowerCase().trim().replace(/\.$/, '');
    const domain = entry.startsWith('*.') ? entry.slice(2) : entry.startsWith('.') ? entry.slice(1) : null;
    if (domain === null) return name === entry;
    return name === domain || name.endsWith(`.${domain}`);
  });
}
