import { formatNumber } from '../../i18n';

const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;

/** "2.4 MB", "830 kB", "512 byte": a file's size in the locale's digits, decimal units as file managers show them. */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return formatNumber(value, {
    style: 'unit',
    unit: units[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 || value >= 100 ? 0 : 1,
  });
}
