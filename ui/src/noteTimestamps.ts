// Turns timestamps in rendered show notes into buttons. Runs after the sanitized HTML has been
// put into the container (RichText, the one innerHTML): only text nodes are read, and only
// text nodes and `createElement("button")` are written — no markup is ever parsed here.
import { findChapterTimestamps, findTimestamps } from "./timestamps";

/** Buttons this module made, so a re-run unwraps exactly those (never feed markup). */
const created = new WeakSet<Node>();

const BLOCKS = new Set([
  "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "DD", "DETAILS", "DIV", "DL", "DT", "FIGCAPTION", "FIGURE",
  "FOOTER", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "HR", "LI", "OL", "P", "PRE", "SECTION", "SUMMARY",
  "TABLE", "TBODY", "TD", "TFOOT", "TH", "THEAD", "TR", "UL",
]);

function blockOf(node: Node, root: Element): Node {
  for (let el = node.parentElement; el && el !== root; el = el.parentElement) {
    if (BLOCKS.has(el.tagName)) return el;
  }
  return root;
}

function isSkipped(node: Text, root: Element): boolean {
  const el = node.parentElement?.closest("a, button");
  return !!el && root.contains(el);
}

/** Puts the text of earlier timestamp buttons back as plain text. */
export function unlinkTimestamps(root: HTMLElement): void {
  const doc = root.ownerDocument;
  let changed = false;
  for (const button of Array.from(root.querySelectorAll("button.timestamp"))) {
    if (!created.has(button)) continue;
    button.replaceWith(doc.createTextNode(button.textContent ?? ""));
    changed = true;
  }
  if (changed) root.normalize();
}

/**
 * Wraps timestamps in `root`'s text in `<button class="timestamp" data-start-ms>`: the chapter
 * starts when there are chapters, else conservative standalone timestamps. Text inside links is
 * left alone. Safe to call again (earlier buttons are unwrapped first). Returns how many it made.
 */
export function linkTimestamps(root: HTMLElement, chapterStartsMs: readonly number[]): number {
  unlinkTimestamps(root);
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  const jobs: { node: Text; before: string }[] = [];
  // The text already seen on the current line: new block or <br> starts a new one.
  let line = "";
  let lineBlock: Node = root;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.nodeType === Node.ELEMENT_NODE) {
      if ((n as Element).tagName === "BR") line = "";
      continue;
    }
    const text = n as Text;
    const block = blockOf(text, root);
    if (block !== lineBlock) {
      line = "";
      lineBlock = block;
    }
    if (!isSkipped(text, root) && /\d:\d\d/.test(text.data)) jobs.push({ node: text, before: line });
    line += text.data;
  }

  let made = 0;
  for (const { node, before } of jobs) {
    const value = node.data;
    const matches =
      chapterStartsMs.length > 0 ? findChapterTimestamps(value, chapterStartsMs, before) : findTimestamps(value, before);
    if (matches.length === 0) continue;
    const fragment = doc.createDocumentFragment();
    let pos = 0;
    for (const m of matches) {
      if (m.index > pos) fragment.append(doc.createTextNode(value.slice(pos, m.index)));
      const token = value.slice(m.index, m.index + m.length);
      const button = doc.createElement("button");
      button.type = "button";
      button.className = "timestamp";
      button.dataset.startMs = String(m.ms);
      button.dataset.testid = "note-timestamp";
      button.title = `Jump to ${token}`;
      button.textContent = token;
      created.add(button);
      fragment.append(button);
      pos = m.index + m.length;
      made++;
    }
    if (pos < value.length) fragment.append(doc.createTextNode(value.slice(pos)));
    node.replaceWith(fragment);
  }
  return made;
}
