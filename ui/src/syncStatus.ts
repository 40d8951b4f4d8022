// How the last sync is said: "Synced just now", "Synced 5 min ago", "Synced 14:05", or a date.

/** `at` (RFC 3339) relative to `now`, for the sidebar and the Sync dialog. */
export function formatSyncedAt(at: string | null | undefined, now: Date = new Date()): string {
  if (!at) return "Not synced yet";
  const when = new Date(at);
  if (Number.isNaN(when.getTime())) return "Not synced yet";
  const minutes = Math.floor((now.getTime() - when.getTime()) / 60_000);
  if (minutes < 1) return "Synced just now";
  if (minutes < 60) return `Synced ${minutes} min ago`;
  const sameDay = when.toDateString() === now.toDateString();
  const time = when.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return sameDay ? `Synced at ${time}` : `Synced ${when.toLocaleDateString(undefined, { day: "numeric", month: "short" })}, ${time}`;
}
