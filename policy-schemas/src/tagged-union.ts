// A union of object schemas told apart by one literal property (`action`, `type`): standard JSON Schema (an enum of the
// tags, then one if/then per branch) so a misspelt tag is one "must be one of" error and a known tag is checked
// against its own branch only, instead of an `anyOf` error from every branch.
import { type Static, type TLiteral, type TObject, type TUnion, Type } from '@sinclair/typebox';

/** The tag values of the branches, in order. */
export function tagsOf(tag: string, branches: readonly TObject[]): string[] {
  return branches.map((b) => {
    const literal = b.properties[tag] as TLiteral | undefined;
    if (typeof literal?.const !== 'string') throw new Error(`tagged union: a branch has no literal "${tag}"`);
    return literal.const;
  });
}

/** A union of `branches` discriminated by the literal property `tag`. */
export function TaggedUnion<T extends TObject[]>(tag: string, branches: [...T], options: { description?: string } = {}) {
  const tags = tagsOf(tag, branches);
  return Type.Unsafe<Static<TUnion<T>>>({
    ...options,
    type: 'object',
    required: [tag],
    properties: { [tag]: { type: 'string', enum: tags } },
    allOf: branches.map((branch, i) => ({
      if: { properties: { [tag]: { const: tags[i] } }, required: [tag] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
      then: branch,
    })),
  });
}
