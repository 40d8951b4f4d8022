// What the keyboard is called on this system: ⌘ on a Mac, Ctrl elsewhere.

export function isMac(): boolean {
  if (typeof navigator === "undefined") return false;
  return /Mac|iPhone|iPad/i.test(navigator.platform || navigator.userAgent || "");
}

/** "Ctrl" or "⌘", for shortcut hints. */
export function modKey(): string {
  return isMac() ? "⌘" : "Ctrl";
}
