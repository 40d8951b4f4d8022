// Shaping a transcript for reading: cues gathered into paragraphs (a speaker's turn, broken at
// long pauses, chapter starts and a readable length), and find-in-transcript. The current
// cue is the engine's (`cue_index`); nothing here decides it.
import type { ChapterView, CueView } from "./api";

export type Paragraph = {
  /** Who speaks, shown once per turn; null when the same speaker goes on or none is named. */
  speaker: string | null;
  /** A chapter that starts with this paragraph. */
  chapter: ChapterView | null;
  /** Indexes into the cue list. */
  cues: number[];
};

/** A pause this long starts a new paragraph even within one speaker's turn. */
const PAUSE_MS = 2_000;
/** About this many words make a paragraph long enough to break at the next sentence end. */
const PARAGRAPH_WORDS = 80;

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
const endsSentence = (text: string) => /[.!?…]["'”’)]*$/.test(text.trim());

/** Paragraphs of `cues`, with chapter starts (for timed transcripts) opening paragraphs of their own. */
export function paragraphs(cues: CueView[], chapters: ChapterView[], timed: boolean): Paragraph[] {
  const out: Paragraph[] = [];
  const starts = timed ? [...chapters].sort((a, b) => a.start_ms - b.start_ms) : [];
  let nextChapter = 0;
  let lastSpeaker: string | null = null;
  let wordsIn = 0;
  cues.forEach((cue, i) => {
    let chapter: ChapterView | null = null;
    // The chapter in whose span this cue starts, if it is the first cue to start there.
    while (nextChapter < starts.length && starts[nextChapter]!.start_ms <= cue.start_ms) {
      chapter = starts[nextChapter]!;
      nextChapter++;
    }
    const prev = cues[i - 1];
    const current = out[out.length - 1];
    const speakerChanged = cue.speaker != null && cue.speaker !== lastSpeaker;
    const paused = timed && prev != null && cue.start_ms - prev.end_ms >= PAUSE_MS;
    const long = wordsIn >= PARAGRAPH_WORDS && prev != null && endsSentence(prev.text);
    if (!current || chapter || speakerChanged || paused || long) {
      out.push({ speaker: speakerChanged || (!current && cue.speaker) ? cue.speaker : null, chapter, cues: [i] });
      wordsIn = 0;
    } else {
      current.cues.push(i);
    }
    if (cue.speaker != null) lastSpeaker = cue.speaker;
    wordsIn += words(cue.text);
  });
  return out;
}

/** The cues whose text contains `query` (case- and accent-insensitive), in order. */
export function findCues(cues: CueView[], query: string): number[] {
  const needle = fold(query.trim());
  if (!needle) return [];
  const found: number[] = [];
  cues.forEach((cue, i) => {
    if (fold(cue.text).includes(needle)) found.push(i);
  });
  return found;
}

/** Lower case, without accents: "Café" finds "cafe". */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** `text` split around the matches of `query`, for marking them. */
export function splitMatches(text: string, query: string): { text: string; hit: boolean }[] {
  const needle = fold(query.trim());
  if (!needle) return [{ text, hit: false }];
  // Folding can change lengths (decomposed accents); map back through per-character folds.
  const chars = Array.from(text);
  const folded = chars.map((c) => fold(c));
  const out: { text: string; hit: boolean }[] = [];
  let i = 0;
  let plain = "";
  while (i < chars.length) {
    let joined = "";
    let j = i;
    while (j < chars.length && joined.length < needle.length) {
      joined += folded[j];
      j++;
    }
    if (joined === needle) {
      if (plain) out.push({ text: plain, hit: false });
      plain = "";
      out.push({ text: chars.slice(i, j).join(""), hit: true });
      i = j;
    } else {
      plain += chars[i];
      i++;
    }
  }
  if (plain) out.push({ text: plain, hit: false });
  return out;
}

/** What "Copy" puts on the clipboard for a selection starting in cue `startMs`: the time first. */
export function withTimestamp(selected: string, startMs: number | null, clock: (ms: number) => string): string {
  const text = selected.replace(/\s+/g, " ").trim();
  return startMs == null ? text : `[${clock(startMs)}] ${text}`;
}
