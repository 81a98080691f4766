// @ts-check
// When the window tells Parley it has drawn a reply's delta. Parley sends
// the next delta only after this answer (or after its fallback wait), so the
// window gets text when it is free to draw it, and a slow window gets fewer,
// larger deltas instead of a queue (docs/CHAT.md, "Events").
//
// The answer for delta `seq` goes from a task queued by a frame callback
// registered when the delta came, after the text's own (stream-text.js):
// that callback runs in the frame that draws the delta, and the task runs
// once that frame is drawn. Only the newest seq of a reply
// is answered: an answer for an older delta changes nothing.

import * as api from '../../api.js';

/** @type {Map<string, number>} the newest delta drawn but not yet answered, by generation */
const waiting = new Map();

/**
 * Answers delta `seq` of a reply once the frame that draws it is drawn.
 * @param {string} generationId @param {number} seq
 */
export function answerWhenDrawn(generationId, seq) {
  const queued = waiting.has(generationId);
  waiting.set(generationId, seq);
  if (queued) return;
  requestAnimationFrame(() =>
    setTimeout(() => {
      const newest = waiting.get(generationId);
      waiting.delete(generationId);
      if (newest !== undefined) void api.replies.shown(generationId, newest);
    }),
  );
}
