/** Python `str.format(**values)` templates with CPython 3.11 semantics. See docs/templates.md. */
export type { Template, TemplateError, TemplateValue, TemplateValues } from './types.js'
export { parseTemplate, formatTemplate } from './template.js'
