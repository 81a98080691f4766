// @ts-check
// A provider's models: the list under the provider and the model form. A
// model's empty context length, max output tokens and temperature come from
// Settings (a chat may override any value for itself): the form and the
// list say so instead of showing a number the model does not have.

import * as api from '../api.js';
import { h, field, input, val, num } from '../dom.js';
import { pagedList, submitting, showError, confirmDialog, toast } from '../components.js';
import { changed, navigate } from '../state.js';
import { OVERRIDES, inheritedText } from './overrides.js';
import { t, formatNumber } from '../i18n.js';

/** @typedef {import('./overrides.js').OverrideKey} OverrideKey */
/** @typedef {{modelsChanged: () => void}} ModelHooks lets the provider form refresh the models list */

/** A model's number as the form writes it. @param {number} n */
const fmt = (n) => formatNumber(n, { maximumFractionDigits: 4 });

/**
 * A model row's limits, inherited ones marked: "32,768 ctx · 1,024 out (Settings)".
 * @param {api.AiModel} m
 * @param {api.Settings} settings
 */
function limitsText(m, settings) {
  const context = m.contextLength === null
    ? t('models.contextFromSettings', { value: fmt(settings.contextLength) })
    : t('models.context', { value: fmt(m.contextLength) });
  const output = m.maxOutputTokens === null
    ? t('models.outputFromSettings', { value: fmt(settings.maxOutputTokens) })
    : t('models.output', { value: fmt(m.maxOutputTokens) });
  return t('models.limits', { context, output });
}

/**
 * The models of a provider, and the editor of the selected one.
 * @param {HTMLElement} pane
 * @param {api.Provider} provider
 * @param {string | null} modelId
 * @param {ModelHooks} hooks
 */
export async function renderModels(pane, provider, modelId, hooks) {
  const base = `providers/${provider.id}/models`;
  const settings = await api.settings.get();
  const list = pagedList({
    label: t('models.listLabel', { name: provider.name }),
    className: 'rows selectable',
    empty: t('models.empty'),
    load: (cursor) => api.models.list({ providerId: provider.id, sort: 'name', limit: api.PAGE_SIZE, cursor }),
    item: (m) =>
      h(
        'li',
        { data: { id: m.id } },
        h(
          'a',
          { href: `#/${base}/${m.id}`, class: 'row-link', 'aria-current': m.id === modelId ? 'true' : null },
          h('span', { class: 'row-title' }, m.displayName || m.modelId),
          h('span', { class: 'row-meta mono' }, m.modelId),
          h('span', { class: 'row-meta model-limits' }, limitsText(m, settings)),
        ),
      ),
  });
  const section = h(
    'section',
    { class: 'card models', 'aria-labelledby': 'models-title' },
    h(
      'div',
      { class: 'editor-head' },
      h('h2', { id: 'models-title' }, t('models.title')),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'btn small', id: 'new-model', onclick: () => navigate(`${base}/new`) }, t('models.addModelButton')),
    ),
    list.element,
  );
  pane.append(section);
  hooks.modelsChanged = () => void list.reload();
  const jobs = [list.reload()];
  if (modelId) {
    const model = modelId === 'new' ? null : await api.models.get(modelId);
    pane.append(modelForm(provider, model, base, settings, () => void list.reload()));
  }
  await Promise.all(jobs);
}

/** The model form's sampling rows: the values a chat can override, less the two limits. */
const SAMPLING = OVERRIDES.filter(([k]) => k !== 'contextLength' && k !== 'maxOutputTokens');

/**
 * @param {api.Provider} provider
 * @param {api.AiModel | null} m
 * @param {string} base route of the models of this provider
 * @param {api.Settings} settings what empty values inherit
 * @param {() => void} reloadList
 */
function modelForm(provider, m, base, settings, reloadList) {
  const form = h('form', { id: 'model-form', class: 'editor card', novalidate: true, 'aria-label': m ? t('models.editModel') : t('models.newModel') });
  /** What an empty box of this model means: "from Settings (8,192)". @param {OverrideKey} name */
  const inherited = (name) => inheritedText(name, { model: null, settings });
  const number = (/** @type {OverrideKey} */ name, /** @type {number | null | undefined} */ value, /** @type {string} */ step) =>
    input(name, value ?? '', { type: 'number', step, inputmode: 'decimal', placeholder: inherited(name) });
  const heading = h('h2', null, m ? m.displayName || m.modelId : t('models.newModelOn', { name: provider.name }));
  form.append(
    h('div', { class: 'editor-head' }, heading),
    h(
      'div',
      { class: 'grid' },
      // i18n-ignore: an Ollama model id, the same in every language
      field(t('models.modelId'), input('modelId', m?.modelId, { spellcheck: 'false', placeholder: provider.kind === 'ollama' ? 'llama3.1:8b' : t('models.modelIdPlaceholder') }), {
        required: true,
        hint: t('models.modelIdHint'),
      }),
      field(t('models.displayName'), input('displayName', m?.displayName, { placeholder: t('models.displayNamePlaceholder') })),
      field(t('models.contextLength'), number('contextLength', m?.contextLength, '1'), {
        hint: t('models.contextLengthHint', { inherited: inherited('contextLength') }),
      }),
      field(t('models.maxOutputTokens'), number('maxOutputTokens', m?.maxOutputTokens, '1'), {
        hint: t('models.maxOutputTokensHint', { inherited: inherited('maxOutputTokens') }),
      }),
    ),
    h(
      'details',
      { class: 'sampling', open: m ? SAMPLING.some(([k]) => m[k] !== null && m[k] !== undefined) : false },
      h('summary', null, t('models.sampling')),
      h(
        'p',
        { class: 'hint' },
        t('models.samplingHint', { temperature: fmt(settings.temperature) }),
      ),
      h('div', { class: 'grid three' }, ...SAMPLING.map(([name, label, step, hint]) => field(label(), number(name, /** @type {number | null} */ (m?.[name]), step), { hint: hint() }))),
    ),
    h(
      'div',
      { class: 'form-footer' },
      h('span', { class: 'spacer' }),
      m
        ? h('button', {
            type: 'button',
            class: 'btn danger-subtle',
            onclick: async () => {
              const ok = await confirmDialog({
                title: t('models.deleteTitle', { name: m.displayName || m.modelId }),
                message: t('models.deleteMessage'),
                confirmLabel: t('models.deleteModel'),
                danger: true,
              });
              if (!ok) return;
              try {
                await api.models.remove(m.id);
                changed('providers');
                toast(t('models.deleted'));
                navigate(`providers/${provider.id}`);
              } catch (e) {
                showError(e);
              }
            },
          }, t('common.delete'))
        : null,
      h('button', { type: 'submit', class: 'btn primary', id: 'save-model' }, m ? t('models.saveModel') : t('models.addModel')),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      /** @type {api.ModelInput} */
      const inputData = {
        providerId: provider.id,
        modelId: val(form, 'modelId').trim(),
        displayName: val(form, 'displayName').trim(),
        contextLength: num(form, 'contextLength'),
        maxOutputTokens: num(form, 'maxOutputTokens'),
        temperature: num(form, 'temperature'),
        topP: num(form, 'topP'),
        topK: num(form, 'topK'),
        minP: num(form, 'minP'),
        frequencyPenalty: num(form, 'frequencyPenalty'),
        presencePenalty: num(form, 'presencePenalty'),
        repetitionPenalty: num(form, 'repetitionPenalty'),
        seed: num(form, 'seed'),
      };
      const saved = m ? await api.models.update(m.id, inputData) : await api.models.create(inputData);
      changed('providers');
      toast(m ? t('models.saved') : t('models.added'));
      if (m) {
        heading.textContent = saved.displayName || saved.modelId;
        reloadList();
      } else {
        navigate(`${base}/${saved.id}`);
      }
    });
  });
  return form;
}
