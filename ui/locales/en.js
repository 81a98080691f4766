// @ts-check
// English, the reference catalogue: every other language has these keys
// (ui/i18n.js, scripts/check-i18n.mjs). The body is JSON.
export default {
  "common.cancel": "Cancel",
  "common.close": "Close",
  "common.delete": "Delete",
  "common.edit": "Edit",
  "common.loadMore": "Load more",
  "common.none": "None",
  "common.ok": "OK",
  "common.restore": "Restore",
  "common.save": "Save",
  "common.untitledChat": "Untitled chat",
  "error.unknown": "something went wrong",
  "settings.language": "Language",
  "settings.languageHint": "The window's words, dates and numbers.",
  "settings.languageSystem": "As the system ({language})",
  "time.justNow": "just now"
};
