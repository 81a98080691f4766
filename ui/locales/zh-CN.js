// @ts-check
// zh-CN: see ui/i18n.js. The body is JSON (scripts/check-i18n.mjs reads it).
export default {
  "time.justNow": "just now"
};
