// @ts-check
// Settings' "Appearance" section: language, theme, accent colour, text
// size, chat layout and the custom stylesheet. Each applies at once and is
// kept (ui/appearance.js, `ui.language`); they hold after a restart.

import { looks, setLook, loadCustomCss } from '../appearance.js';
import { call } from '../api.js';
import { h, field, select } from '../dom.js';
import { showError } from '../components.js';
import { LANGUAGES, closest, formatNumber, t, tn, tNodes } from '../i18n.js';
import { chooseLanguage } from '../language.js';

/**
 * Saves the language choice ('system' or a code of LANGUAGES) and opens
 * the window again in it: every screen, the sidebar included, is written
 * anew (the choice is kept for the first paint, so nothing shows English).
 * @param {string} value
 */
async function pickLanguage(value) {
  await chooseLanguage(value);
  location.reload();
}

/** The language select: the system's, then each language named in itself. */
function languageSelect() {
  const system = LANGUAGES.find((l) => l.code === closest(navigator.language))?.name ?? LANGUAGES[0].name;
  const options = [{ value: 'system', label: t('settings.languageSystem', { language: system }) }, ...LANGUAGES.map((l) => ({ value: l.code, label: l.name }))];
  const el = select('language', options, 'system', { id: 'language' });
  void call('config_get', { key: 'ui.language' })
    .then((v) => {
      if (typeof v === 'string' && options.some((o) => o.value === v)) el.value = v;
    })
    .catch((e) => console.warn('ui.language', e));
  el.addEventListener('change', () => void pickLanguage(el.value).catch(showError));
  return el;
}

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
    t('appearance.theme'),
    [
      { value: 'system', label: t('appearance.themeSystem') },
      { value: 'light', label: t('appearance.themeLight') },
      { value: 'dark', label: t('appearance.themeDark') },
    ],
    now.theme,
    (v) => saving(setLook('theme', /** @type {import('../appearance.js').Theme} */ (v))),
  );
  const layout = radios(
    'chat-layout',
    t('appearance.chatLayout'),
    [
      { value: 'bubbles', label: t('appearance.layoutBubbles') },
      { value: 'document', label: t('appearance.layoutDocument') },
    ],
    now.chatLayout,
    (v) => saving(setLook('chatLayout', /** @type {import('../appearance.js').ChatLayout} */ (v))),
  );

  const accent = h('input', { type: 'color', id: 'accent', name: 'accent', value: now.accent ?? '#8190ff' });
  accent.addEventListener('change', () => saving(setLook('accent', accent.value)));
  const accentReset = h('button', { type: 'button', class: 'btn', id: 'accent-reset' }, t('appearance.accentReset'));
  accentReset.addEventListener('click', () => saving(setLook('accent', null)));

  const sizes = [90, 100, 110, 125, 150, 175];
  const size = select('textSize', sizes.map((n) => ({ value: String(n), label: formatNumber(n / 100, { style: 'percent' }) })), String(now.textSize), { id: 'text-size' });
  size.addEventListener('change', () => saving(setLook('textSize', Number(size.value))));

  const cssStatus = h('p', { class: 'hint', id: 'custom-css-status', role: 'status' });
  const reload = h('button', { type: 'button', class: 'btn', id: 'reload-custom-css' }, t('appearance.reloadCss'));
  const showCss = (/** @type {import('../appearance.js').CustomCss} */ c) => {
    const path = h('span', { class: 'mono', translate: 'no' }, c.path);
    cssStatus.replaceChildren(
      ...(c.css === null ? tNodes('appearance.noCss', { path }) : tNodes('appearance.cssApplied', { characters: tn('appearance.characters', c.css.length), path })),
    );
  };
  reload.addEventListener('click', () => void loadCustomCss().then(showCss).catch(showError));
  void loadCustomCss().then(showCss).catch(showError);

  return h(
    'section',
    { class: 'form-section card', 'aria-labelledby': 'appearance-title', id: 'appearance' },
    h('h2', { id: 'appearance-title' }, t('appearance.title')),
    h('div', { class: 'grid two' }, field(t('settings.language'), languageSelect(), { hint: t('settings.languageHint') })),
    h('div', { class: 'grid two' }, theme, layout),
    h(
      'div',
      { class: 'grid two' },
      h('div', { class: 'field' }, h('label', { for: 'accent' }, t('appearance.accent')), h('div', { class: 'connection-row' }, accent, accentReset), h('p', { class: 'hint' }, t('appearance.accentHint'))),
      field(t('appearance.textSize'), size, { hint: t('appearance.textSizeHint') }),
    ),
    h('div', { class: 'field' }, h('span', { class: 'label' }, t('appearance.customCss')), h('div', { class: 'connection-row' }, reload), cssStatus),
  );
}
