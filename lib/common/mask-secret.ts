/** Masks a secret for display: its first 4 characters, then dots; never the whole value. */
export function maskSecret(value: string | undefined): string {
  if (value === undefined || value === '') return '(not set)';
  return `${value.slice(0, 4)}${'•'.repeat(8)}`;
}
