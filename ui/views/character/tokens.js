// @ts-check
// Token counts in the character editor: one beside each text field's label
// and a total of what every chat sends, from the same estimate prompts are
// built with (`tokens_count`), asked for at most a few times a second.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t, tn } from '../../i18n.js';

/** The fields every prompt with this character carries (the total). */
const SENT = ['description', 'personality', 'scenario', 'firstMessage', 'exampleMessages', 'systemPrompt', 'postHistoryInstructions'];
/** Also counted, not in the total: only one greeting is used, notes are never sent. */
const OTHERS = ['alternateGreetings', 'creatorNotes'];
/** @param {number} n */
const words = (n) => tn('tokens.count', n);

/**
 * Adds the counts to a form's fields; returns the total's element to place.
 * @param {HTMLFormElement} form
 */
export function tokenCounts(form) {
  const total = h('p', {
    class: 'token-total',
    id: 'token-total',
    'aria-live': 'polite',
    title: t('tokens.totalTitle'),
  });
  /** @type {Map<string, HTMLElement>} */
  const badges = new Map();
  for (const name of [...SENT, ...OTHERS]) {
    const wrapper = form.querySelector(`[data-field="${name}"]`);
    const label = wrapper?.querySelector('label, legend');
    if (!label) continue;
    const badge = h('span', { class: 'token-count', data: { tokensFor: name } });
    label.append(badge);
    badges.set(name, badge);
  }
  let timer = 0;
  let asked = 0;
  const count = async () => {
    const names = [...badges.keys()];
    /** @type {string[]} */
    const texts = [];
    /** @type {number[]} how many texts each name has */
    const spans = [];
    for (const name of names) {
      const areas = /** @type {HTMLTextAreaElement[]} */ ([...form.querySelectorAll(`textarea[name="${name}"]`)]);
      spans.push(areas.length);
      texts.push(...areas.map((a) => a.value));
    }
    const mine = ++asked;
    let got;
    try {
      got = await api.tokensCount(texts);
    } catch (e) {
      console.warn('token count', e);
      return;
    }
    if (mine !== asked) return;
    let at = 0;
    let sum = 0;
    names.forEach((name, i) => {
      const n = got.slice(at, at + spans[i]).reduce((a, b) => a + b, 0);
      at += spans[i];
      /** @type {HTMLElement} */ (badges.get(name)).textContent = words(n);
      if (SENT.includes(name)) sum += n;
    });
    total.textContent = tn('tokens.total', sum);
  };
  const later = () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => void count(), 250);
  };
  form.addEventListener('input', later);
  // Greetings added or removed change the count without an input event.
  const greetings = form.querySelector('ol.greetings');
  if (greetings) new MutationObserver(later).observe(greetings, { childList: true });
  void count();
  return total;
}
