/** Current time in epoch seconds, the unit of every `expiresAt` attribute. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
