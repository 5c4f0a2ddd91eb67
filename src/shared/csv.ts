/**
 * One cell of a CSV file Granary writes. RFC 4180 quoting where the value needs it (comma, quote, line
 * break, leading or trailing space); and a value a spreadsheet would run as a formula — one that begins
 * with = + - @ tab or CR and is not a plain number — gets a leading apostrophe, so it is shown as text.
 */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) && !/^[+-]?[0-9]+(\.[0-9]+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
