import * as E from '#fp-ts/Either.js'
import { badValue, formatEmpty, formatWithSpec, MAX_OUTPUT_CHARS, prepareSpec } from './format-value.js'
import { compileTemplate, type FieldPart, type Part } from './parse.js'
import { convertValue } from './repr.js'
import { parseSpec } from './spec.js'
import { isTemplateError, templateError, type Template, type TemplateError, type TemplateValue, type TemplateValues } from './types.js'

const missingKey = (name: string, values: TemplateValues): TemplateError => {
  const keys = Object.keys(values)
  return templateError(
    name,
    `template needs ${JSON.stringify(name)} but the values have: ${keys.length === 0 ? '(none)' : keys.join(', ')}`,
  )
}

/** Renders one field, or returns the error Python would raise. */
const renderField = (part: FieldPart, values: TemplateValues): string | TemplateError => {
  const name = part.name
  if (!Object.hasOwn(values, name)) return missingKey(name, values)
  let value: TemplateValue = values[name]!
  if (part.conversion !== null) {
    const t = typeof value
    if (t !== 'string' && t !== 'number' && t !== 'bigint' && t !== 'boolean') return badValue(name, value)
    const converted = convertValue(value, part.conversion)
    if (typeof converted !== 'string') return formatEmpty(name, value)
    value = converted
  }
  const spec = part.spec
  switch (spec._tag) {
    case 'Empty':
      return typeof value === 'string' ? value : formatEmpty(name, value)
    case 'Static':
      return formatWithSpec(name, value, spec.prepared)
    default: {
      const built = renderParts(spec.parts, values)
      if (typeof built !== 'string') return built
      if (built === '') return typeof value === 'string' ? value : formatEmpty(name, value)
      const parsed = parseSpec(built)
      if (typeof parsed === 'string')
        return templateError(name, `field "${name}": invalid format spec ${JSON.stringify(built)} (built from nested fields): ${parsed}`)
      return formatWithSpec(name, value, prepareSpec(parsed))
    }
  }
}

const renderParts = (parts: ReadonlyArray<Part>, values: TemplateValues): string | TemplateError => {
  let out = ''
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    if (part._tag === 'Literal') out += part.text
    else {
      const s = renderField(part, values)
      if (typeof s !== 'string') return s
      out += s
    }
    if (out.length > MAX_OUTPUT_CHARS)
      return templateError(null, `the result is over ckpt's limit of ${MAX_OUTPUT_CHARS} characters for a rendered template`)
  }
  return out
}

const render = (source: string, parts: ReadonlyArray<Part>, values: TemplateValues): E.Either<TemplateError, string> => {
  if (typeof values !== 'object' || values === null)
    return E.left(
      templateError(
        null,
        `template ${JSON.stringify(source)}: values must be an object of named values, got ${values === null ? 'null' : typeof values}`,
      ),
    )
  try {
    const out = renderParts(parts, values)
    return isTemplateError(out) ? E.left(out) : E.right(out)
  } catch (e) {
    // Only resource limits land here (a width or precision too large for a JS string or BigInt).
    return E.left(
      templateError(null, `template ${JSON.stringify(source)}: the result cannot be built: ${e instanceof Error ? e.message : String(e)}`),
    )
  }
}

/**
 * Compiles a Python `str.format` template once, for many renders. Template syntax, field names
 * and every format spec without nested fields are checked here.
 *
 * @example
 * const t = parseTemplate('epoch_{epoch:02d}-val_loss_{val_loss:.4f}.weights.h5')
 * // Right({ fields: ['epoch', 'val_loss'], ... })
 * E.map((t: Template) => t.render({ epoch: 3n, val_loss: 0.123456 }))(t)
 * // Right(Right('epoch_03-val_loss_0.1235.weights.h5'))
 */
export const parseTemplate = (template: string): E.Either<TemplateError, Template> => {
  if (typeof template !== 'string')
    return E.left(templateError(null, `a template must be a string, got ${template === null ? 'null' : typeof template}`))
  const compiled = compileTemplate(template)
  if (isTemplateError(compiled)) return E.left(compiled)
  const { parts, fields } = compiled
  return E.right({
    source: template,
    fields,
    render: (values: TemplateValues) => render(template, parts, values),
  })
}

/**
 * Python's `template.format(**values)`.
 *
 * @example
 * formatTemplate('epoch_{epoch:02d}-val_loss_{val_loss:.2f}.weights.h5', { epoch: 7n, val_loss: 0.4567 })
 * // Right('epoch_07-val_loss_0.46.weights.h5')
 */
export const formatTemplate = (template: string, values: TemplateValues): E.Either<TemplateError, string> => {
  const t = parseTemplate(template)
  return E.isLeft(t) ? t : t.right.render(values)
}
