// @ts-check
// `/` in an empty composer: a menu of the message templates that filters
// as the person types (`/gre` keeps "Greeting"), moved through with the
// arrow keys, chosen with Enter or a click, closed with Esc. A template
// with variables asks for them (template-vars.js); the filled text then
// replaces the `/...` in the composer, to edit before sending.
// The menu is a listbox the composer's textarea controls (combobox).

import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { showError } from '../../components.js';
import { templates } from '../../api/templates.js';
import { fillTemplate } from '../template-vars.js';

/** @typedef {import('../../api/templates.js').Template} Template */

/** At most this many templates in the menu. */
const SHOWN = 12;

/**
 * Hooks the menu to a composer.
 * @param {{box: HTMLTextAreaElement, el: HTMLElement, setText: (text: string) => void}} composer
 */
export function attachSlash(composer) {
  const box = composer.box;
  const menu = h('ul', { id: 'slash-menu', class: 'slash-menu', role: 'listbox', 'aria-label': t('slash.label'), hidden: true });
  composer.el.prepend(menu);
  box.setAttribute('role', 'combobox');
  box.setAttribute('aria-autocomplete', 'list');
  box.setAttribute('aria-controls', 'slash-menu');
  box.setAttribute('aria-expanded', 'false');

  /** @type {Template[] | null} loaded when the menu first opens */
  let all = null;
  /** @type {Template[]} */
  let shown = [];
  let active = 0;

  /** The `/word` being typed, or null when the menu is not wanted. */
  const query = () => {
    const m = /^\/([^\n]*)$/.exec(box.value);
    return m ? m[1].trim().toLowerCase() : null;
  };

  function close() {
    menu.hidden = true;
    box.setAttribute('aria-expanded', 'false');
    box.removeAttribute('aria-activedescendant');
  }

  function draw() {
    const q = query();
    if (q === null || !all) return close();
    shown = all.filter((t) => t.name.toLowerCase().includes(q)).slice(0, SHOWN);
    active = Math.min(active, Math.max(0, shown.length - 1));
    menu.replaceChildren(
      ...(shown.length === 0
        ? [h('li', { class: 'slash-empty', role: 'presentation' }, all.length === 0 ? t('slash.noTemplates') : t('slash.noMatch', { query: q }))]
        : shown.map((t, i) =>
            h(
              'li',
              {
                id: `slash-opt-${i}`,
                role: 'option',
                class: 'slash-option',
                'aria-selected': String(i === active),
                onmousedown: (/** @type {MouseEvent} */ ev) => {
                  ev.preventDefault();
                  void choose(t);
                },
              },
              h('span', { class: 'slash-name' }, t.name),
              h('span', { class: 'slash-preview muted' }, t.content.replace(/\s+/g, ' ').slice(0, 80)),
            ),
          )),
    );
    menu.hidden = false;
    box.setAttribute('aria-expanded', 'true');
    if (shown.length) box.setAttribute('aria-activedescendant', `slash-opt-${active}`);
    else box.removeAttribute('aria-activedescendant');
  }

  /** @param {Template} t */
  async function choose(t) {
    close();
    try {
      const text = await fillTemplate(t);
      if (text !== null) composer.setText(text);
    } catch (e) {
      showError(e);
    }
    box.focus();
  }

  box.addEventListener('input', async () => {
    if (query() === null) return close();
    if (!all) {
      try {
        all = (await templates.list('message', { sort: 'name', limit: 200 })).items;
      } catch (e) {
        showError(e);
        return;
      }
    }
    active = 0;
    draw();
  });
  box.addEventListener('blur', close);

  // Capture: before the composer's own Enter-sends handler.
  composer.el.addEventListener(
    'keydown',
    (ev) => {
      if (menu.hidden || ev.target !== box) return;
      const step = ev.key === 'ArrowDown' ? 1 : ev.key === 'ArrowUp' ? -1 : 0;
      if (step && shown.length) {
        active = (active + step + shown.length) % shown.length;
      } else if (ev.key === 'Enter' && !ev.shiftKey && shown[active]) {
        void choose(shown[active]);
      } else if (ev.key === 'Escape') {
        close();
      } else {
        return;
      }
      ev.preventDefault();
      ev.stopPropagation();
      if (!menu.hidden) draw();
    },
    true,
  );
}
