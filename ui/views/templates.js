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
import { t, tn } from '../i18n.js';
import { errorWords } from '../errors.js';

/** @typedef {import('../api/templates.js').Template} Template */
/** @typedef {import('../api/templates.js').TemplateType} TemplateType */
/** @typedef {import('../api/templates.js').ImportReport} ImportReport */

/** The type the list shows; kept while the person moves between templates. */
/** @type {TemplateType} */
let shownType = 'message';

const typeOptions = () => TYPES.map(([value, label]) => ({ value, label: label() }));
/** @param {string} kind */
const typeLabel = (kind) => TYPES.find(([v]) => v === kind)?.[1]() ?? kind;

/** What each type is for, under the type picker. */
const typeHints = () => /** @type {Record<TemplateType, string>} */ ({
  message: t('templates.hintMessage'),
  system_prompt: t('templates.hintSystemPrompt'),
  impersonation: t('templates.hintImpersonation'),
  summary_instruction: t('templates.hintSummaryInstruction'),
  memory_documents: t('templates.hintMemoryDocuments'),
  memory_summaries: t('templates.hintMemorySummaries'),
  memory_recall: t('templates.hintMemoryRecall'),
  instruct: t('templates.hintInstruct'),
});

/**
 * @param {HTMLElement} root
 * @param {string[]} params
 */
export async function render(root, params) {
  const selected = params[0] ?? null;
  const typeFilter = select('type-filter', typeOptions(), shownType, { id: 'template-type-filter', 'aria-label': t('templates.type') });
  const list = pagedList({
    label: t('templates.title'),
    className: 'rows selectable',
    id: 'template-list',
    empty: () => t('templates.empty', { type: typeLabel(shownType).toLowerCase() }),
    load: (cursor) => templates.list(shownType, { sort: 'name', limit: 100, cursor }),
    item: (x) =>
      h(
        'li',
        { data: { id: x.id } },
        h(
          'a',
          { href: `#/templates/${x.id}`, class: 'row-link', 'aria-current': x.id === selected ? 'true' : null },
          h('span', { class: 'row-title' }, x.name),
          x.isDefault ? h('span', { class: 'badge' }, t('templates.defaultBadge')) : null,
          x.variables.length ? h('span', { class: 'badge subtle' }, tn('templates.variableCount', x.variables.length)) : null,
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
      t('templates.title'),
      t('templates.intro'),
      importButton('template-import', t('templates.import'), t('templates.importTitle'), templates.importJson, list),
      importButton('template-import-st', t('templates.importSt'), t('templates.importStTitle'), templates.importStQuickReplies, list),
      h('button', {
        type: 'button',
        class: 'btn',
        id: 'template-export',
        onclick: async () => {
          try {
            const { path } = await templates.exportFile(null);
            toast(t('templates.exportedTo', { path }), 4000);
          } catch (e) {
            showError(e);
          }
        },
      }, t('templates.exportAll')),
      h('button', { type: 'button', class: 'btn primary', id: 'new-template', onclick: () => navigate('templates/new') }, t('templates.newTemplate')),
    ),
    h('div', { class: 'split' }, h('div', { class: 'master' }, field(t('templates.type'), typeFilter), list.element), pane),
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
    title: tn('templates.importedCount', r.imported.length),
    id: 'template-import-report',
    body: [
      h('p', { class: 'muted' }, t('templates.importedFrom', { file: fileName })),
      ...section(t('templates.importedSection'), r.imported.map((x) => t('templates.importedLine', { name: x.name, type: typeLabel(x.type).toLowerCase() }))),
      ...section(t('templates.leftOut'), r.skipped.map((s) => errorWords(s))),
      ...section(t('templates.goodToKnow'), r.notes.map((s) => errorWords(s))),
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
    pane.append(h('p', { class: 'empty detail-empty' }, t('templates.selectHint')));
    return;
  }
  /** @type {Template | null} */
  let item = selected === 'new' ? null : await templates.get(selected);
  const typePicker = select('type', typeOptions(), item?.type ?? shownType, { id: 'template-type' });
  const typeHint = h('p', { class: 'hint', id: 'template-type-hint' });
  const content = textarea('content', item?.content ?? '', { rows: 10, class: 'mono', id: 'template-content' });
  const preview = h('div', { class: 'template-preview', id: 'template-preview', 'aria-live': 'polite' });
  const form = h('form', { id: 'template-form', class: 'editor card', novalidate: true, 'aria-label': item ? t('templates.editTemplate') : t('templates.newTemplate') });
  const heading = h('h2', null, item ? item.name : t('templates.newTemplate'));
  const defaultBadge = h('span', { class: 'badge', id: 'template-default-badge', hidden: !item?.isDefault }, t('templates.defaultBadge'));
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
        toast(t('templates.madeDefault', { type: typeLabel(item.type).toLowerCase() }));
        reloadList();
      } catch (e) {
        showError(e);
      }
    },
  }, t('templates.makeDefault'));

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  async function drawPreview() {
    const kind = /** @type {TemplateType} */ (typePicker.value);
    typeHint.textContent = typeHints()[kind] ?? '';
    try {
      const vars = await templates.variables(kind, content.value);
      clearFieldErrors(form);
      if (vars.length === 0) {
        preview.replaceChildren(h('p', { class: 'muted' }, kind === 'message' || kind === 'system_prompt' || kind === 'impersonation' ? t('templates.noVariables') : t('templates.noForm')));
        return;
      }
      const { fields } = variableFields(vars);
      preview.replaceChildren(h('p', { class: 'muted' }, t('templates.whenUsed')), h('div', { class: 'grid template-preview-form' }, ...fields));
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
          const ok = await confirmDialog({ title: t('templates.trashTitle', { name: item.name }), message: item.isDefault ? t('templates.trashDefaultMessage') : t('templates.trashMessage'), confirmLabel: t('templates.moveToTrash'), danger: true });
          if (!ok) return;
          try {
            await templates.remove(item.id);
            toast(t('templates.movedToTrash'));
            navigate('templates');
          } catch (e) {
            showError(e);
          }
        },
      }, t('common.delete'))
    : null;

  form.append(
    h('div', { class: 'editor-head' }, heading, defaultBadge),
    h(
      'div',
      { class: 'grid' },
      field(t('templates.name'), input('name', item?.name, { maxlength: 200, id: 'template-name' }), { required: true }),
      h('div', { class: 'field', data: { field: 'type' } }, h('label', { for: 'template-type' }, t('templates.type')), typePicker, typeHint),
      field(t('templates.text'), content, { wide: true, required: true, hint: t('templates.textHint') }),
    ),
    h('section', { class: 'template-preview-box', 'aria-label': t('templates.itsForm') }, h('h3', null, t('templates.itsForm')), preview),
    h(
      'div',
      { class: 'form-footer' },
      item ? h('span', { class: 'muted' }, t('templates.updated', { when: ago(item.updatedAt) })) : null,
      h('span', { class: 'spacer' }),
      makeDefault,
      deleteBtn,
      h('button', { type: 'submit', class: 'btn primary', id: 'save' }, item ? t('templates.saveChanges') : t('templates.createTemplate')),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      const input = { type: /** @type {TemplateType} */ (typePicker.value), name: val(form, 'name').trim(), content: content.value };
      const saved = item ? await templates.update(item.id, input) : await templates.create(input);
      toast(t('templates.saved'));
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
