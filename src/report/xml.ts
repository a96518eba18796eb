/**
 * XML text and elements for the SVG and XHTML this layer writes. Every string from data goes through `xmlText`,
 * so what a folder or a log holds (a path, a metric name) can never break the document's well-formedness.
 */

/** Characters XML 1.0 does not allow, even as references: C0 controls but tab and line breaks, lone surrogates, U+FFFE/F. */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/**
 * Text or an attribute value as XML: markup characters escaped, characters XML cannot hold replaced by U+FFFD.
 * (The CLI shows control characters visibly before they get here, as on a terminal; this is the safety net.)
 */
export const xmlText = (s: string): string => plainText(s).replace(/[&<>"']/g, (c) => ENTITY[c]!)

/** `s` with every character XML (or a UTF-8 file) cannot hold replaced by U+FFFD. */
export const plainText = (s: string): string => s.replace(NOT_XML, '\ufffd')

export type Attrs = Readonly<Record<string, string | number | undefined>>

/** A number for a coordinate: at most two decimals, no `-0`. */
export const num = (n: number): string => {
  const r = Math.round(n * 100) / 100
  return Object.is(r, -0) ? '0' : String(r)
}

const attrText = (attrs: Attrs): string =>
  Object.entries(attrs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? num(v) : xmlText(v)}"`)
    .join('')

/** An element: self-closing without children; `children` are already XML (use `xmlText` for text). */
export const el = (name: string, attrs: Attrs = {}, ...children: ReadonlyArray<string>): string =>
  children.length === 0 ? `<${name}${attrText(attrs)}/>` : `<${name}${attrText(attrs)}>${children.join('')}</${name}>`

/** A text element holding `text` (escaped). */
export const textEl = (text: string, attrs: Attrs = {}): string => el('text', attrs, xmlText(text))
