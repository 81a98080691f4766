// @ts-check
// Settings' "Appearance" section: theme, accent colour, text size, chat
// layout and the custom stylesheet. Each applies at once and is kept
// (ui/appearance.js); they hold after a restart.

import { looks, setLook, loadCustomCss } from '../appearance.js';
import { h, field, select } from '../dom.js';
import { showError } from '../components.js';

/**
 * A row of radio buttons as one group with a legend.
 * @param {string} name @param {string} legend @param {{value: string, label: string}[]} options
 * @param {string} checked @param {(value: string) => void} onPick
 */
function radios(name, legend, options, checked, onPick) {
  return h(
    'fieldset',
    { class: 'radio-row' },
    h('legend', null, legend),
    ...options.map((o) => {
      const id = `${name}-${o.value}`;
      const box = h('input', { type: 'radio', name, id, value: o.value, checked: o.value === checked });
      box.addEventListener('change', () => box.checked && onPick(o.value));
      return h('label', { for: id, class: 'radio' }, box, o.label);
    }),
  );
}

/** The section, showing the looks in effect. */
export function section() {
  const now = looks();
  /** @param {Promise<void>} p */
  const saving = (p) => void p.catch(showError);

  const theme = radios(
    'theme',
    'Theme',
    [
      { value: 'system', label: 'Follow the system' },
      { value: 'light', label: 'Light' },
      { value: 'dark', label: 'Dark' },
    ],
    now.theme,
    (v) => saving(setLook('theme', /** @type {import('../appearance.js').Theme} */ (v))),
  );
  const layout = radios(
    'chat-layout',
    'Chat layout',
    [
      { value: 'bubbles', label: 'Bubbles' },
      { value: 'document', label: 'Document' },
    ],
    now.chatLayout,
    (v) => saving(setLook('chatLayout', /** @type {import('../appearance.js').ChatLayout} */ (v))),
  );

  const accent = h('input', { type: 'color', id: 'accent', name: 'accent', value: now.accent ?? '#8190ff' });
  accent.addEventListener('change', () => saving(setLook('accent', accent.value)));
  const accentReset = h('button', { type: 'button', class: 'btn', id: 'accent-reset' }, 'Use the theme\u2019s');
  accentReset.addEventListener('click', () => saving(setLook('accent', null)));

  const sizes = [90, 100, 110, 125, 150, 175];
  const size = select('textSize', sizes.map((n) => ({ value: String(n), label: `${n}%` })), String(now.textSize), { id: 'text-size' });
  size.addEventListener('change', () => saving(setLook('textSize', Number(size.value))));

  const cssStatus = h('p', { class: 'hint', id: 'custom-css-status', role: 'status' });
  const reload = h('button', { type: 'button', class: 'btn', id: 'reload-custom-css' }, 'Reload custom CSS');
  const showCss = (/** @type {import('../appearance.js').CustomCss} */ c) => {
    cssStatus.replaceChildren(
      c.css === null ? 'No custom stylesheet. To restyle Parley, put one at ' : `Applied (${c.css.length.toLocaleString()} characters) from `,
      h('span', { class: 'mono', translate: 'no' }, c.path),
      '.',
    );
  };
  reload.addEventListener('click', () => void loadCustomCss().then(showCss).catch(showError));
  void loadCustomCss().then(showCss).catch(showError);

  return h(
    'section',
    { class: 'form-section card', 'aria-labelledby': 'appearance-title', id: 'appearance' },
    h('h2', { id: 'appearance-title' }, 'Appearance'),
    h('div', { class: 'grid two' }, theme, layout),
    h(
      'div',
      { class: 'grid two' },
      h('div', { class: 'field' }, h('label', { for: 'accent' }, 'Accent colour'), h('div', { class: 'connection-row' }, accent, accentReset), h('p', { class: 'hint' }, 'Links, buttons and the reply\u2019s name.')),
      field('Text size', size, { hint: 'All text in the window.' }),
    ),
    h('div', { class: 'field' }, h('span', { class: 'label' }, 'Custom stylesheet'), h('div', { class: 'connection-row' }, reload), cssStatus),
  );
}
