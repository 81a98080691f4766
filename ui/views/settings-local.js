// @ts-check
// Settings' "Models on this computer" section: how long a model stays
// loaded when no reply needs it, the most context a model gets, and the
// processor threads it may use. Each is saved when changed and applies from
// the next reply (services/local_model.rs `apply_settings`).

import { engineSettings, setEngineSetting } from '../api/local-models.js';
import { h, field, input } from '../dom.js';
import { showError, toast } from '../components.js';

/** The section; loads the values when built. */
export function section() {
  const idle = input('localIdleMinutes', '', { type: 'number', min: '1', step: '1', id: 'local-idle-minutes' });
  const cap = input('localContextCap', '', { type: 'number', min: '512', max: '131072', step: '512', id: 'local-context-cap' });
  const threads = input('localThreads', '', { type: 'number', min: '0', step: '1', id: 'local-threads' });
  /** @type {[HTMLInputElement, 'idleMinutes' | 'contextCap' | 'threads'][]} */
  const boxes = [
    [idle, 'idleMinutes'],
    [cap, 'contextCap'],
    [threads, 'threads'],
  ];
  for (const [box, name] of boxes) {
    box.addEventListener('change', async () => {
      const value = Number(box.value);
      if (!Number.isInteger(value) || value < 0) {
        showError({ error: 'enter a whole number', type: 'ValidationError', details: { field: box.name } });
        return;
      }
      try {
        await setEngineSetting(name, value);
        toast('Saved');
      } catch (e) {
        showError(e);
      }
    });
  }
  void engineSettings()
    .then((s) => {
      idle.value = String(s.idleMinutes);
      cap.value = String(s.contextCap);
      threads.value = String(s.threads);
    })
    .catch(showError);
  return h(
    'section',
    { class: 'form-section card', 'aria-labelledby': 'local-settings-title', id: 'local-settings' },
    h('h2', { id: 'local-settings-title' }, 'Models on this computer'),
    h('p', { class: 'hint' }, 'For GGUF models Parley runs itself. One model is in memory at a time; it loads with its first reply.'),
    h(
      'div',
      { class: 'grid three' },
      field('Unload after (minutes idle)', idle, { hint: 'Frees the memory when no reply needs the model.' }),
      field('Most context (tokens)', cap, { hint: 'A model gets what it was trained for, up to this. More needs more memory.' }),
      field('Processor threads', threads, { hint: '0: all cores but one, so the window stays quick.' }),
    ),
  );
}
