// @ts-check
// Errors from the Rust side in the person's language. An error that carries
// a `code` (error.rs `Words`) is worded from the catalogue's `error.<code>`
// with its values; field names and things ("character", "chat") are worded
// too. An error without a code, or with one the catalogue lacks, shows the
// English message the back end wrote.

import { tMaybe, t } from './i18n.js';

/**
 * @param {{error: string, code?: string | null, values?: Record<string, unknown> | null}} raw
 * @returns {string}
 */
export function errorWords(raw) {
  if (!raw.code) return raw.error;
  /** @type {Record<string, string | number | null | undefined>} */
  const values = {};
  for (const [k, v] of Object.entries(raw.values ?? {})) {
    if (typeof v === 'string' || typeof v === 'number') values[k] = v;
  }
  if (typeof values.field === 'string') {
    values.label = tMaybe(`field.${values.field}`, undefined, String(values.label ?? values.field.replace(/_/g, ' ')));
  }
  if (typeof values.entity === 'string') values.entity = tMaybe(`entity.${values.entity.replace(/ /g, '_')}`, undefined, values.entity);
  values.said = values.detail ? t('error.said', { detail: values.detail }) : '';
  // A cause that is itself worded by code (a reply not saved because the
  // disk is full; a file refused because its PNG data ends early), with
  // the values it names.
  if (typeof values.cause_code === 'string') values.cause = tMaybe(`error.${values.cause_code}`, values, String(values.cause ?? ''));
  return tMaybe(`error.${raw.code}`, values, raw.error);
}

/**
 * Why an imported or added file was refused, in the person's language.
 * @param {{reason: string, code?: string, values?: Record<string, unknown>}} skipped
 */
export function skippedWords(skipped) {
  return errorWords({ error: skipped.reason, code: skipped.code ?? null, values: skipped.values ?? null });
}
