// @ts-check
// The character editor's sections as tabs: one tab list, one panel per
// section, all panels inside the one form (a hidden panel's fields are still
// saved). A field error opens the tab that holds it.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';

/**
 * @typedef {{id: string, label: string, content: Node[]}} Tab
 */

/**
 * The tab list and its panels; arrow keys move between tabs.
 * @param {Tab[]} tabs
 * @returns {{element: HTMLElement, select: (id: string) => void, reveal: (form: HTMLFormElement) => void}}
 */
export function tabbed(tabs) {
  /** @type {HTMLButtonElement[]} */
  const buttons = [];
  /** @type {HTMLElement[]} */
  const panels = [];
  /** @param {string} id */
  const select = (id) => {
    tabs.forEach((t, i) => {
      const on = t.id === id;
      buttons[i].setAttribute('aria-selected', String(on));
      buttons[i].tabIndex = on ? 0 : -1;
      panels[i].hidden = !on;
    });
  };
  for (const t of tabs) {
    const btn = h('button', {
      type: 'button',
      role: 'tab',
      id: `tab-${t.id}`,
      class: 'editor-tab',
      'aria-controls': `panel-${t.id}`,
      onclick: () => select(t.id),
    }, t.label);
    buttons.push(btn);
    panels.push(h('section', { role: 'tabpanel', id: `panel-${t.id}`, class: 'editor-panel', 'aria-labelledby': `tab-${t.id}` }, ...t.content));
  }
  const list = h('div', { role: 'tablist', class: 'editor-tabs', 'aria-label': t('characterTabs.sections') }, ...buttons);
  list.addEventListener('keydown', (ev) => {
    const at = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    if (at < 0 || (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft')) return;
    const next = (at + (ev.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length;
    select(tabs[next].id);
    buttons[next].focus();
    ev.preventDefault();
  });
  select(tabs[0].id);
  return {
    element: h('div', { class: 'editor-tabbed' }, list, ...panels),
    select,
    /** Opens the tab of the first field with an error. */
    reveal: (form) => {
      const err = form.querySelector('.field-error');
      const panel = err?.closest('[role="tabpanel"]');
      const i = panel ? panels.indexOf(/** @type {HTMLElement} */ (panel)) : -1;
      if (i >= 0) select(tabs[i].id);
    },
  };
}
