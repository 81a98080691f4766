// @ts-check
// Text that grows: a reply while it is written (and its thinking), and the
// plain text of messages too long for Markdown. Model text goes in as Text
// nodes only, never as markup.
//
// The text lives in block elements, never in one huge text node: a block is
// closed at a line break once it holds BLOCK_SOFT characters (at a space past
// BLOCK_HARD, anywhere past BLOCK_MAX), and only the last, open block is ever
// written to. So a frame lays out the text that came in it and nothing
// before it, whether the reply is 1 KB or 800 KB, and the whole reply stays
// in the page from its first line, to be scrolled back and read while it is
// written. Closed blocks get `content-visibility: auto` (styles.css) with an
// estimate of their height, so those out of sight cost nothing to lay out.
// Deltas that arrive within one frame are written together, at the frame.

import { h } from '../../dom.js';

/** A block is closed at the first line break after this many characters... */
const BLOCK_SOFT = 256;
/** ...or, with no line break in sight, at a space after this many... */
const BLOCK_HARD = 2048;
/** ...or, with no space either (a long URL, base64), at this many. */
const BLOCK_MAX = 4096;

/**
 * Where to cut `text` so that at most `n` characters come first, never
 * between the two halves of a surrogate pair.
 * @param {string} text @param {number} n
 */
function safeCut(text, n) {
  const unit = text.charCodeAt(n);
  return unit >= 0xdc00 && unit <= 0xdfff ? Math.max(1, n - 1) : Math.max(1, n);
}

/**
 * How many characters of `rest` the open block (holding `held`) takes before
 * it closes, or -1 when all of `rest` fits in it.
 * @param {number} held @param {string} rest
 */
function cutAt(held, rest) {
  const nl = rest.indexOf('\n', Math.max(0, BLOCK_SOFT - held - 1));
  if (nl >= 0 && held + nl + 1 <= BLOCK_MAX) return nl + 1;
  if (held + rest.length <= BLOCK_HARD) return -1;
  const sp = rest.indexOf(' ', Math.max(0, BLOCK_HARD - held - 1));
  if (sp >= 0 && held + sp + 1 <= BLOCK_MAX) return sp + 1;
  if (held + rest.length <= BLOCK_MAX) return -1;
  return safeCut(rest, BLOCK_MAX - held);
}

export class StreamText {
  /**
   * @param {string} [initial] text shown at once (what a reply holds so far)
   * @param {() => void} [onWritten] called after each frame's text is in the page
   */
  constructor(initial = '', onWritten) {
    this.el = h('div', { class: 'stream-text' });
    this.onWritten = onWritten ?? null;
    /** Text that came since the last frame, not in the page yet. */
    this.queued = '';
    this.frameQueued = false;
    /** Whether the text ever changed after it was first shown. */
    this.grew = false;
    /** Characters per line and line height (px) for the estimates, measured once. */
    this.perLine = 0;
    this.lineHeight = 0;
    /** @type {Text} the open block's text */
    this.node = this.#open();
    if (initial) this.#write(initial);
  }

  /** All the text, including what waits for the next frame. */
  text() {
    return (this.el.textContent ?? '') + this.queued;
  }

  /**
   * Adds text at the next frame. Kept as small as it gets: it runs for every delta.
   * @param {string} text
   */
  append(text) {
    if (!text) return;
    this.queued += text;
    if (this.frameQueued) return;
    this.frameQueued = true;
    requestAnimationFrame(() => this.flush());
  }

  /** Writes what came since the last frame (also called by the frame). */
  flush() {
    this.frameQueued = false;
    if (!this.queued) return;
    const text = this.queued;
    this.queued = '';
    this.grew = true;
    this.#write(text);
    this.onWritten?.();
  }

  /** @param {string} text */
  #write(text) {
    let rest = text;
    while (rest) {
      const cut = cutAt(this.node.length, rest);
      if (cut < 0) {
        this.node.appendData(rest);
        return;
      }
      this.node.appendData(rest.slice(0, cut));
      rest = rest.slice(cut);
      this.#close();
      this.node = this.#open();
    }
  }

  /** A new, empty open block at the end; returns its Text node. */
  #open() {
    const node = document.createTextNode('');
    this.el.append(h('div', { class: 'stream-block' }, node));
    return node;
  }

  /**
   * The open block is finished: from now on it is laid out only when in
   * sight, sized meanwhile from its text (the browser keeps the real size
   * once it has been drawn).
   */
  #close() {
    const block = /** @type {HTMLElement} */ (this.node.parentNode);
    if (!this.perLine && this.el.isConnected) this.#measure();
    const perLine = this.perLine || 80;
    const lineHeight = this.lineHeight || 23;
    let lines = 0;
    for (const line of this.node.data.split('\n')) lines += Math.max(1, Math.ceil(line.length / perLine));
    if (this.node.data.endsWith('\n')) lines -= 1;
    block.style.setProperty('contain-intrinsic-block-size', `auto ${Math.max(1, lines) * lineHeight}px`);
    block.classList.add('closed');
  }

  #measure() {
    const style = getComputedStyle(this.el);
    const size = parseFloat(style.fontSize) || 15;
    this.lineHeight = parseFloat(style.lineHeight) || size * 1.55;
    // Reading the width lays out what is pending; it happens once per text.
    const width = this.el.clientWidth || 640;
    this.perLine = Math.max(20, Math.floor(width / (size * 0.5)));
  }
}

/**
 * Fills `box` with `text` as plain text in blocks (for messages too long for
 * Markdown), in place of what it held.
 * @param {HTMLElement} box @param {string} text
 */
export function fillPlain(box, text) {
  box.replaceChildren(new StreamText(text).el);
}
