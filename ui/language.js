// @ts-check
// The person's language at boot: the copy kept from the last run at once
// (so the first screen is in it), then the saved preference `ui.language`
// (services/appearance.rs checks it) when it differs.

import { call } from './api.js';
import { setLanguage } from './i18n.js';

const CACHE = 'parley.language';

/** Switches the language, keeps the choice, and remembers it for the next start. @param {string} choice */
export async function chooseLanguage(choice) {
  await call('config_set', { key: 'ui.language', value: choice });
  await setLanguage(choice);
  remember(choice);
}

/** @param {string} choice */
function remember(choice) {
  try {
    localStorage.setItem(CACHE, choice);
  } catch {
    // A full or disabled store only costs the quick first paint.
  }
}

export async function initLanguage() {
  let cached = null;
  try {
    cached = localStorage.getItem(CACHE);
  } catch {
    cached = null;
  }
  await setLanguage(cached ?? 'system');
  /** @type {string} */
  let saved = 'system';
  try {
    saved = await call('config_get', { key: 'ui.language' });
  } catch {
    // The preference store failing leaves the cached choice.
    return;
  }
  if (saved !== cached) {
    await setLanguage(saved);
    remember(saved);
  }
}
