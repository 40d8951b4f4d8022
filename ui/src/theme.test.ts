import { afterEach, describe, expect, it, vi } from "vitest";
import { createThemeStore, loadThemeChoice, resolveTheme, THEME_KEY } from "./theme";

/** A stand-in for the desktop's light/dark setting that can switch while the app runs. */
function fakeSystem(dark: boolean) {
  const listeners: (() => void)[] = [];
  const query = {
    get matches() {
      return dark;
    },
    addEventListener: (_: string, f: () => void) => listeners.push(f),
  };
  vi.stubGlobal("matchMedia", () => query);
  return (next: boolean) => {
    dark = next;
    listeners.forEach((f) => f());
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe("theme", () => {
  it("follows the desktop until the listener picks light or dark, and remembers the pick", () => {
    const setSystemDark = fakeSystem(true);
    const root = document.createElement("div");
    const theme = createThemeStore(localStorage, root);
    expect(theme.choice()).toBe("system");
    expect(root.dataset.theme).toBe("dark");
    setSystemDark(false);
    expect(root.dataset.theme).toBe("light");

    theme.setChoice("dark");
    expect(root.dataset.theme).toBe("dark");
    expect(root.style.colorScheme).toBe("dark");
    setSystemDark(false);
    expect(root.dataset.theme).toBe("dark"); // the desktop no longer decides

    // Next launch: the pick is read back before anything renders.
    const again = document.createElement("div");
    expect(createThemeStore(localStorage, again).choice()).toBe("dark");
    expect(again.dataset.theme).toBe("dark");

    theme.setChoice("system");
    setSystemDark(true);
    expect(root.dataset.theme).toBe("dark");
    setSystemDark(false);
    expect(root.dataset.theme).toBe("light");
  });

  it("reads anything odd as System", () => {
    localStorage.setItem(THEME_KEY, "purple");
    expect(loadThemeChoice(localStorage)).toBe("system");
    expect(loadThemeChoice(undefined)).toBe("system");
    expect(resolveTheme("light", true)).toBe("light");
  });
});
