// @ts-check
// Text that grows: a reply while it is written (and its thinking), and the
// plain text of messages too long for Markdown. Model text goes in as Text
// nodes only, never as markup.
//
// The text lives in block elements, never in one huge text node: a block is
// closed at a line break once it holds BLOCK_SOFT characters (at a space past
// BLOCK_HARD, anywhere past BLOCK_MAX), and only the last, open block is ever
// written to. So a frame lays out the text that came in it and nothing
// before it, whether the reply is 1 KB or 800 KB. Deltas that arrive within
// one frame are written together, at the frame (a big burst over a few
// frames, see FRAME_TEXT).
//
// A reply's closed blocks are "held" while far from the screen: emptied,
// their height kept, their text in `held`, and filled again when they come
// near it (an IntersectionObserver, FILL_MARGIN). A frame that brings more
// than FRAME_LAYOUT lays out only its newest text and holds the rest at
// once, sized from its text. So the whole reply is there from its first
// line, to be scrolled back and read while it is written, while the page
// lays out and keeps about what is on screen (docs/BENCHMARKS.md).
//
// Plain text shown all at once (a stored message too long for Markdown) is
// `lazy`: its closed blocks get `content-visibility: auto` with an estimate
// of their height, so those out of sight are not laid out when it appears.
// A reply being written is not: there each block is laid out once, as it
// comes, and measured in WebKit, `content-visibility` made every frame that
// follows the newest text cost more the longer the reply grew (about 50 ms
// a frame at 800 KB, against under 30 ms without it).

import { h } from '../../dom.js';

/** A block is closed at the first line break after this many characters... */
const BLOCK_SOFT = 256;
/** ...or, with no line break in sight, at a space after this many... */
const BLOCK_HARD = 2048;
/** ...or, with no space either (a long URL, base64), at this many. */
const BLOCK_MAX = 4096;
/**
 * A frame writes at most this much of what came, or a quarter of what waits
 * when more waits: a burst (Parley sends a slow frame's text as one delta)
 * is spread over a few frames instead of making one frame slow and the next
 * delta bigger still, and what waits can never pile up.
 */
const FRAME_TEXT = 32768;
/**
 * A frame lays out at most this much new text; what came before it in the
 * same frame goes into "held" blocks: empty blocks sized from their text,
 * filled when they come near the screen (an IntersectionObserver). At
 * hundreds of thousands of tokens a second a frame brings ~20 KB, more than
 * a screen; laying it all out made every delta wait behind the frame
 * (docs/BENCHMARKS.md). Held text is still all there: scrolling up fills it
 * in, the screen held in place.
 */
const FRAME_LAYOUT = 8192;
/** How far off screen (px) a held block is filled in. */
const FILL_MARGIN = 1200;

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
   * @param {{onWritten?: () => void, lazy?: boolean}} [opts]
   *   `onWritten`: called after each frame's text is in the page;
   *   `lazy`: closed blocks out of sight are not laid out (for text shown all at once)
   */
  constructor(initial = '', opts = {}) {
    this.el = h('div', { class: 'stream-text' });
    this.onWritten = opts.onWritten ?? null;
    this.lazy = opts.lazy ?? false;
    /** Text that came since the last frame, not in the page yet. */
    this.queued = '';
    this.frameQueued = false;
    /** Characters per line and line height (px) for the estimates, measured once. */
    this.perLine = 0;
    this.lineHeight = 0;
    /** @type {Map<Element, string>} held blocks and their text */
    this.held = new Map();
    /** @type {IntersectionObserver | null} fills held blocks near the screen */
    this.filler = null;
    /** @type {Text} the open block's text */
    this.node = this.#open();
    if (initial) this.#write(initial);
  }

  /** All the text, including what is held and what waits for the next frame. */
  text() {
    if (this.held.size === 0) return (this.el.textContent ?? '') + this.queued;
    let all = '';
    for (const block of this.el.children) all += this.held.get(block) ?? block.textContent ?? '';
    return all + this.queued;
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

  /** Writes what came since the last frame, or a frame's share of it (called by the frame). */
  flush() {
    this.frameQueued = false;
    if (!this.queued) return;
    let text = this.queued;
    const share = Math.max(FRAME_TEXT, Math.ceil(text.length / 4));
    if (text.length > share) {
      const cut = safeCut(text, share);
      this.queued = text.slice(cut);
      text = text.slice(0, cut);
      this.frameQueued = true;
      requestAnimationFrame(() => this.flush());
    } else {
      this.queued = '';
    }
    if (text.length > FRAME_LAYOUT) {
      // Only the newest text of the frame is laid out now; the rest is held.
      const cut = safeCut(text, text.length - FRAME_LAYOUT);
      this.#hold(text.slice(0, cut));
      text = text.slice(cut);
    }
    this.#write(text);
    this.onWritten?.();
  }

  /**
   * Puts `text` after the open block in held blocks (sized, not laid out),
   * then opens a new block after them.
   * @param {string} text
   */
  #hold(text) {
    if (!this.perLine && this.el.isConnected) this.#measure();
    let rest = text;
    while (rest) {
      const cut = cutAt(0, rest);
      const piece = cut < 0 ? rest : rest.slice(0, cut);
      rest = cut < 0 ? '' : rest.slice(cut);
      const block = h('div', { class: 'stream-block held' });
      block.style.height = `${this.#estimate(piece)}px`;
      this.held.set(block, piece);
      this.el.append(block);
      this.#watch(block);
    }
    this.node = this.#open();
  }

  /**
   * A closed block of a reply is filled when it comes near the screen and
   * held again (emptied, its height kept) when it goes far from it, so a
   * long reply holds in the page about what is on screen, not all of its
   * text laid out.
   * @param {Element} block
   */
  #watch(block) {
    this.filler ??= new IntersectionObserver((entries) => this.#fill(entries), { rootMargin: `${FILL_MARGIN}px 0px` });
    this.filler.observe(block);
  }

  /**
   * Fills held blocks that came near the screen, keeping what is on screen
   * in place, and holds those that went far from it.
   * @param {IntersectionObserverEntry[]} entries
   */
  #fill(entries) {
    const scroller = this.el.closest('.chat-scroll');
    for (const entry of entries) {
      const block = entry.target;
      if (!(block instanceof HTMLElement) || !block.isConnected) continue;
      const text = this.held.get(block);
      if (!entry.isIntersecting) {
        // Far from the screen: keep its height, drop its laid-out text.
        if (text === undefined && entry.boundingClientRect.height > 0) {
          this.held.set(block, block.textContent ?? '');
          block.style.height = `${entry.boundingClientRect.height}px`;
          block.classList.add('held');
          block.textContent = '';
        }
        continue;
      }
      if (text === undefined) continue;
      const above = scroller ? block.getBoundingClientRect().bottom <= scroller.getBoundingClientRect().top : false;
      const before = block.offsetHeight;
      this.held.delete(block);
      block.style.height = '';
      block.classList.remove('held');
      block.textContent = text;
      // Above the screen, a block that grew or shrank would move what is read.
      if (above && scroller) scroller.scrollTop += block.offsetHeight - before;
    }
  }

  /** An estimate of a block's height (px) from its text. @param {string} text */
  #estimate(text) {
    const perLine = this.perLine || 80;
    const lineHeight = this.lineHeight || 23;
    let lines = 0;
    for (const line of text.split('\n')) lines += Math.max(1, Math.ceil(line.length / perLine));
    if (text.endsWith('\n')) lines -= 1;
    return Math.max(1, lines) * lineHeight;
  }

  /** Writes everything that waits, now (the reply ended). */
  drain() {
    const text = this.queued;
    this.queued = '';
    this.#write(text);
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
      if (this.lazy) this.#close();
      else this.#watch(/** @type {Element} */ (this.node.parentNode));
      this.node = this.#open();
    }
  }

  /** A new, empty block at the end, the one written to; returns its Text node. */
  #open() {
    const node = document.createTextNode('');
    this.el.append(h('div', { class: 'stream-block' }, node));
    return node;
  }

  /**
   * A lazy text's block is finished: from now on it is laid out only when
   * in sight, sized meanwhile from its text (the browser keeps the real
   * size once it has been drawn).
   */
  #close() {
    const block = /** @type {HTMLElement} */ (this.node.parentNode);
    if (!this.perLine && this.el.isConnected) this.#measure();
    block.style.setProperty('contain-intrinsic-block-size', `auto ${this.#estimate(this.node.data)}px`);
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
  box.replaceChildren(new StreamText(text, { lazy: true }).el);
}
