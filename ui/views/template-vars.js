// @ts-check
// A template's variables as a small typed form (text input, textarea,
// select, number), and the dialog that asks for them before a template is
// used. The Templates screen shows the same form as a live preview. The
// Rust side parses and fills (`template_variables`, `template_render`);
// this file only builds controls and reads them.

import { h, field, input, textarea, select } from '../dom.js';
import { fieldName, openDialog, submitting } from '../components.js';
import { templates } from '../api/templates.js';
import { t } from '../i18n.js';

/** @typedef {import('../api/templates.js').Variable} Variable */

/**
 * One control per variable, named after it (as the back end names the
 * field of an error), with its default filled in.
 * @param {Variable[]} vars
 * @returns {{fields: Node[], read: (form: HTMLFormElement) => Record<string, string>}}
 */
export function variableFields(vars) {
  const fields = vars.map((v) => {
    const name = fieldName(v.name);
    const label = v.label ?? v.name;
    const required = v.default === undefined || v.default === null;
    /** @type {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} */
    let control;
    switch (v.kind) {
      case 'long_text':
        control = textarea(name, v.default ?? '', { rows: 3 });
        break;
      case 'choice':
        control = select(name, (v.options ?? []).map((o) => ({ value: o, label: o })), v.default ?? v.options?.[0] ?? '');
        break;
      case 'number':
        control = input(name, v.default ?? '', { type: 'number', step: 'any', inputmode: 'decimal' });
        break;
      default:
        control = input(name, v.default ?? '', {});
    }
    control.dataset.variable = v.name;
    return field(label, control, { required: required && v.kind !== 'choice', wide: v.kind === 'long_text' });
  });
  return {
    fields,
    read: (form) => {
      /** @type {Record<string, string>} */
      const values = {};
      for (const el of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('[data-variable]'))) {
        values[el.dataset.variable ?? ''] = el.value;
      }
      return values;
    },
  };
}

/**
 * The template's text, filled: at once when it has no variables, else
 * after the person fills its form (null when they close it).
 * @param {{id: string, name: string, variables: Variable[]}} template
 * @returns {Promise<string | null>}
 */
export function fillTemplate(template) {
  if (template.variables.length === 0) return templates.render(template.id, {});
  return new Promise((resolve) => {
    const { fields, read } = variableFields(template.variables);
    const form = h('form', { class: 'editor template-fill', id: 'template-fill', novalidate: true, 'aria-label': t('templateVars.fillIn', { name: template.name }) }, h('div', { class: 'grid' }, ...fields));
    let done = false;
    const use = h('button', { type: 'submit', class: 'btn primary', id: 'template-fill-use', form: 'template-fill' }, t('templateVars.use'));
    const close = openDialog({ title: template.name, id: 'template-fill-dialog', body: [form], actions: [use] });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void submitting(form, async () => {
        const text = await templates.render(template.id, read(form));
        done = true;
        close();
        resolve(text);
      });
    });
    // The dialog closes by Esc, its button or a click outside: nothing used.
    const observer = new MutationObserver(() => {
      if (!form.isConnected) {
        observer.disconnect();
        if (!done) resolve(null);
      }
    });
    observer.observe(document.body, { childList: true });
    /** @type {HTMLElement | null} */ (form.querySelector('input, textarea, select'))?.focus();
  });
}
