// @ts-check
// Templates: the library of reusable prompts with fill-in variables
// (docs/TEMPLATES.md). A list by type on the left; on the right the editor
// (name, type, text), the form its variables make (a live preview, as `/`
// and quick replies will show it), "Make default" for its type. Import
// and export Parley's JSON, and import SillyTavern Quick Reply sets.

import { h, field, input, textarea, select, val, ago } from '../dom.js';
import { pagedList, submitting, showError, confirmDialog, openDialog, toast, viewHeader, clearFieldErrors } from '../components.js';
import { navigate } from '../state.js';
import { templates, TYPES } from '../api/templates.js';
import { variableFields } from './template-vars.js';

/** @typedef {import('../api/templates.js').Template} Template */
/** @typedef {import('../api/templates.js').TemplateType} TemplateType */
/** @typedef {import('../api/templates.js').ImportReport} ImportReport */

/** The type the list shows; kept while the person moves between templates. */
/** @type {TemplateType} */
let shownType = 'message';

const TYPE_OPTIONS = TYPES.map(([value, label]) => ({ value, label }));
/** @param {string} t */
const typeLabel = (t) => TYPES.find(([v]) => v === t)?.[1] ?? t;

/** What each type is for, under the type picker. */
const TYPE_HINTS = /** @type {Record<TemplateType, string>} */ ({
  message: 'A message you send: type / in a chat\u2019s composer, or add it to the quick-reply bar.',
  system_prompt: 'Instructions sent before everything else.',
  impersonation: 'What the model is told when it writes your next message for you.',
  summary_instruction: 'What the summary model is told before the messages it summarizes (the default is used).',
  memory_documents: 'The words around document passages in a reply\u2019s prompt; {{pieces}} is where they go.',
  memory_summaries: 'The words around summaries of earlier messages; {{pieces}} is where they go.',
  memory_recall: 'The words around earlier messages brought back; {{pieces}} is where they go.',
  instruct: 'An instruct format for text-completion models, as JSON.',
});

/**
 * @param {HTMLElement} root
 * @param {string[]} params
 */
export async function render(root, params) {
  const selected = params[0] ?? null;
  const typeFilter = select('type-filter', TYPE_OPTIONS, shownType, { id: 'template-type-filter', 'aria-label': 'Type' });
  const list = pagedList({
    label: 'Templates',
    className: 'rows selectable',
    id: 'template-list',
    empty: () => `No ${typeLabel(shownType).toLowerCase()} templates yet.`,
    load: (cursor) => templates.list(shownType, { sort: 'name', limit: 100, cursor }),
    item: (t) =>
      h(
        'li',
        { data: { id: t.id } },
        h(
          'a',
          { href: `#/templates/${t.id}`, class: 'row-link', 'aria-current': t.id === selected ? 'true' : null },
          h('span', { class: 'row-title' }, t.name),
          t.isDefault ? h('span', { class: 'badge' }, 'default') : null,
          t.variables.length ? h('span', { class: 'badge subtle' }, `${t.variables.length} variable${t.variables.length === 1 ? '' : 's'}`) : null,
        ),
      ),
  });
  typeFilter.addEventListener('change', () => {
    shownType = /** @type {TemplateType} */ (typeFilter.value);
    void list.reload();
  });
  const pane = h('div', { class: 'detail' });
  root.append(
    viewHeader(
      'Templates',
      'Reusable prompts with fill-in variables. Type / in a chat to use a message template.',
      importButton('template-import', 'Import', 'Import templates (a Parley templates .json)', templates.importJson, list),
      importButton('template-import-st', 'Import SillyTavern quick replies', 'Import a SillyTavern Quick Reply set (.json)', templates.importStQuickReplies, list),
      h('button', {
        type: 'button',
        class: 'btn',
        id: 'template-export',
        onclick: async () => {
          try {
            const { path } = await templates.exportFile(null);
            toast(`Exported to ${path}`, 4000);
          } catch (e) {
            showError(e);
          }
        },
      }, 'Export all'),
      h('button', { type: 'button', class: 'btn primary', id: 'new-template', onclick: () => navigate('templates/new') }, 'New template'),
    ),
    h('div', { class: 'split' }, h('div', { class: 'master' }, field('Type', typeFilter), list.element), pane),
  );
  await Promise.all([list.reload(), editor(pane, selected, () => void list.reload())]);
}

/**
 * A button that reads a chosen .json file and hands its text to `run`.
 * @param {string} id @param {string} label @param {string} title
 * @param {(text: string) => Promise<ImportReport>} run
 * @param {{reload: () => Promise<void>}} list
 */
function importButton(id, label, title, run, list) {
  const file = /** @type {HTMLInputElement} */ (h('input', { type: 'file', id: `${id}-file`, class: 'sr-only', accept: '.json,application/json', 'aria-label': title }));
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    file.value = '';
    if (!chosen) return;
    try {
      const report = await run(await chosen.text());
      await list.reload();
      showReport(chosen.name, report);
    } catch (e) {
      showError(e);
    }
  });
  return h('span', null, file, h('button', { type: 'button', class: 'btn', id, title, onclick: () => file.click() }, label));
}

/** @param {string} fileName @param {ImportReport} r */
function showReport(fileName, r) {
  /** @param {string} title @param {string[]} lines */
  const section = (title, lines) => (lines.length ? [h('h3', null, title), h('ul', { class: 'report-lines' }, lines.map((l) => h('li', null, l)))] : []);
  openDialog({
    title: `Imported ${r.imported.length} template${r.imported.length === 1 ? '' : 's'}`,
    id: 'template-import-report',
    body: [
      h('p', { class: 'muted' }, `From ${fileName}.`),
      ...section('Imported', r.imported.map((t) => `${t.name} (${typeLabel(t.type).toLowerCase()})`)),
      ...section('Left out', r.skipped),
      ...section('Good to know', r.notes),
    ],
  });
}

/**
 * @param {HTMLElement} pane
 * @param {string | null} selected
 * @param {() => void} reloadList
 */
async function editor(pane, selected, reloadList) {
  if (!selected) {
    pane.append(h('p', { class: 'empty detail-empty' }, 'Select a template on the left, or create a new one.'));
    return;
  }
  /** @type {Template | null} */
  let item = selected === 'new' ? null : await templates.get(selected);
  const typePicker = select('type', TYPE_OPTIONS, item?.type ?? shownType, { id: 'template-type' });
  const typeHint = h('p', { class: 'hint', id: 'template-type-hint' });
  const content = textarea('content', item?.content ?? '', { rows: 10, class: 'mono', id: 'template-content' });
  const preview = h('div', { class: 'template-preview', id: 'template-preview', 'aria-live': 'polite' });
  const form = h('form', { id: 'template-form', class: 'editor card', novalidate: true, 'aria-label': item ? 'Edit template' : 'New template' });
  const heading = h('h2', null, item ? item.name : 'New template');
  const defaultBadge = h('span', { class: 'badge', id: 'template-default-badge', hidden: !item?.isDefault }, 'default');
  const makeDefault = h('button', {
    type: 'button',
    class: 'btn',
    id: 'template-make-default',
    hidden: !item || item.isDefault,
    onclick: async () => {
      if (!item) return;
      try {
        item = await templates.setDefault(item.id);
        defaultBadge.hidden = false;
        makeDefault.hidden = true;
        toast(`The default ${typeLabel(item.type).toLowerCase()} template`);
        reloadList();
      } catch (e) {
        showError(e);
      }
    },
  }, 'Make default');

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  async function drawPreview() {
    const kind = /** @type {TemplateType} */ (typePicker.value);
    typeHint.textContent = TYPE_HINTS[kind] ?? '';
    try {
      const vars = await templates.variables(kind, content.value);
      clearFieldErrors(form);
      if (vars.length === 0) {
        preview.replaceChildren(h('p', { class: 'muted' }, kind === 'message' || kind === 'system_prompt' || kind === 'impersonation' ? 'No variables: the text is used as written. Write {{topic}}, {{tone:formal|casual}}, {{count:number}} or {{notes:long}} to ask for values.' : 'Parley fills this type itself; it has no form.'));
        return;
      }
      const { fields } = variableFields(vars);
      preview.replaceChildren(h('p', { class: 'muted' }, 'When used, it asks:'), h('div', { class: 'grid template-preview-form' }, ...fields));
    } catch (e) {
      preview.replaceChildren();
      showError(e, form);
    }
  }
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void drawPreview(), 250);
  };
  content.addEventListener('input', schedule);
  typePicker.addEventListener('change', schedule);

  const deleteBtn = item
    ? h('button', {
        type: 'button',
        class: 'btn danger-subtle',
        onclick: async () => {
          if (!item) return;
          const ok = await confirmDialog({ title: `Move \u201c${item.name}\u201d to the trash?`, message: item.isDefault ? 'It is the default of its type; Parley\u2019s own text is used until another is made default. You can restore it from Trash.' : 'You can restore it from Trash.', confirmLabel: 'Move to trash', danger: true });
          if (!ok) return;
          try {
            await templates.remove(item.id);
            toast('Moved to trash');
            navigate('templates');
          } catch (e) {
            showError(e);
          }
        },
      }, 'Delete')
    : null;

  form.append(
    h('div', { class: 'editor-head' }, heading, defaultBadge),
    h(
      'div',
      { class: 'grid' },
      field('Name', input('name', item?.name, { maxlength: 200, id: 'template-name' }), { required: true }),
      h('div', { class: 'field', data: { field: 'type' } }, h('label', { for: 'template-type' }, 'Type'), typePicker, typeHint),
      field('Text', content, { wide: true, required: true, hint: 'Variables: {{name}}, {{name=default}}, {{notes:long}}, {{count:number}}, {{tone:formal|casual}}. Macros such as {{char}} and {{user}} stay as they are.' }),
    ),
    h('section', { class: 'template-preview-box', 'aria-label': 'Its form' }, h('h3', null, 'Its form'), preview),
    h(
      'div',
      { class: 'form-footer' },
      item ? h('span', { class: 'muted' }, `Updated ${ago(item.updatedAt)}`) : null,
      h('span', { class: 'spacer' }),
      makeDefault,
      deleteBtn,
      h('button', { type: 'submit', class: 'btn primary', id: 'save' }, item ? 'Save changes' : 'Create template'),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      const input = { type: /** @type {TemplateType} */ (typePicker.value), name: val(form, 'name').trim(), content: content.value };
      const saved = item ? await templates.update(item.id, input) : await templates.create(input);
      toast('Saved');
      shownType = saved.type;
      if (item) {
        item = saved;
        heading.textContent = saved.name;
        defaultBadge.hidden = !saved.isDefault;
        makeDefault.hidden = saved.isDefault;
        reloadList();
      } else {
        navigate(`templates/${saved.id}`);
      }
    });
  });
  pane.append(form);
  await drawPreview();
  if (!item) /** @type {HTMLElement | null} */ (form.querySelector('input'))?.focus();
}
