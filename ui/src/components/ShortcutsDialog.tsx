import { For, Index } from "solid-js";
import { modKey } from "../platform";
import { SHORTCUTS } from "../playerKeys";
import Dialog, { DialogHeader } from "./Dialog";

/** Every keyboard shortcut, opened and closed with `?`. */
export default function ShortcutsDialog(props: { onClose: () => void }) {
  const cap = (key: string) => (key === "Ctrl" ? modKey() : key);
  return (
    <Dialog labelledBy="shortcuts-title" testId="shortcuts-dialog" class="shortcuts-dialog" onClose={props.onClose}>
      <DialogHeader titleId="shortcuts-title" onClose={props.onClose}>
        Keyboard shortcuts
      </DialogHeader>
      {/* Focusable: it scrolls in a short window, and the keyboard must reach all of it. */}
      <dl class="shortcuts-list" tabindex="0">
        <For each={SHORTCUTS}>
          {(s) => (
            <div class="shortcut" data-testid="shortcut">
              <dt class="shortcut-keys">
                <Index each={s.keys}>
                  {(combo, i) => (
                    <>
                      {i > 0 ? <span class="shortcut-or">or</span> : null}
                      <span class="shortcut-combo">
                        <Index each={combo()}>{(key) => <kbd>{cap(key())}</kbd>}</Index>
                      </span>
                    </>
                  )}
                </Index>
              </dt>
              <dd class="shortcut-action">{s.action}</dd>
            </div>
          )}
        </For>
      </dl>
      <p class="dialog-hint">Shortcuts wait while you type in a text field; {modKey()}+K works everywhere.</p>
    </Dialog>
  );
}
