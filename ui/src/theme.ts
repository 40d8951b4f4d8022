// Light, dark, or as the desktop is. A UI preference, so it lives in localStorage like the skip
// lengths: it must apply before the first paint, before the backend has answered anything.

import { createSignal } from "solid-js";
import { defaultStorage } from "./stores/skipSettings";

export type ThemeChoice = "system" | "light" | "dark";
export type Theme = "light" | "dark";

export const THEME_KEY = "chaptercast.theme";
export const THEME_CHOICES: readonly ThemeChoice[] = ["system", "light", "dark"];

export function loadThemeChoice(storage: Storage | undefined): ThemeChoice {
  try {
    const saved = storage?.getItem(THEME_KEY);
    return THEME_CHOICES.includes(saved as ThemeChoice) ? (saved as ThemeChoice) : "system";
  } catch {
    return "system"; // storage disabled: follow the desktop
  }
}

export function saveThemeChoice(storage: Storage | undefined, choice: ThemeChoice): void {
  try {
    storage?.setItem(THEME_KEY, choice);
  } catch (e) {
    console.debug("could not save the theme", e);
  }
}

export const resolveTheme = (choice: ThemeChoice, systemDark: boolean): Theme =>
  choice === "system" ? (systemDark ? "dark" : "light") : choice;

/** The colours follow `data-theme` on the root; `color-scheme` makes native controls match. */
export function applyTheme(root: HTMLElement, theme: Theme): void {
  root.dataset.theme = theme;
  root.style.colorScheme = theme;
}

function systemQuery(): MediaQueryList | undefined {
  return typeof window !== "undefined" && typeof window.matchMedia === "function" ? window.matchMedia("(prefers-color-scheme: dark)") : undefined;
}

/** The one owner of the theme: the listener's choice, and the desktop's while that is "system". */
export function createThemeStore(storage: Storage | undefined = defaultStorage(), root: HTMLElement = document.documentElement) {
  const query = systemQuery();
  const [choice, setChoiceSignal] = createSignal<ThemeChoice>(loadThemeChoice(storage));
  const apply = () => applyTheme(root, resolveTheme(choice(), query?.matches ?? false));
  apply();
  // The desktop switching between light and dark while the app runs.
  query?.addEventListener("change", apply);
  return {
    choice,
    setChoice(next: ThemeChoice) {
      setChoiceSignal(next);
      saveThemeChoice(storage, next);
      apply();
    },
  };
}

export type ThemeStore = ReturnType<typeof createThemeStore>;
