import fc from 'fast-check'

/** The four single edits a typo makes: swap two adjacent characters, insert one, delete one, replace one. */
export type Edit = 'swap' | 'insert' | 'delete' | 'replace'

/** `name` with one edit at `at` (taken modulo the positions the edit has); `char` is what an insert or replace types. */
export const edited = (name: string, edit: Edit, at: number, char: string): string => {
  if (edit === 'insert') {
    const i = at % (name.length + 1)
    return name.slice(0, i) + char + name.slice(i)
  }
  if (edit === 'swap') {
    const i = at % (name.length - 1)
    return name.slice(0, i) + name[i + 1]! + name[i]! + name.slice(i + 2)
  }
  const i = at % name.length
  return name.slice(0, i) + (edit === 'replace' ? char : '') + name.slice(i + 1)
}

/** A name of `names` and one single-edit typo of it (a printable ASCII character where one is typed). */
export const typoOf = (names: ReadonlyArray<string>) =>
  fc
    .record({
      name: fc.constantFrom(...names),
      edit: fc.constantFrom<Edit>('swap', 'insert', 'delete', 'replace'),
      at: fc.nat(),
      char: fc.string({ minLength: 1, maxLength: 1 }),
    })
    .map((t) => ({ ...t, typo: edited(t.name, t.edit, t.at, t.char) }))

/** The same, only typos that are not themselves one of `names` (an unknown option, at an entry point). */
export const unknownTypoOf = (names: ReadonlyArray<string>) => typoOf(names).filter((t) => !names.includes(t.typo))

/** The list after "expected one of the options " in a message, as an array. */
export const acceptedList = (message: string): string[] => {
  const m = /expected one of the options ([^\n]*)/.exec(message)
  if (m === null) throw new Error(`no list of options in: ${message}`)
  return m[1]!.split(', ')
}
