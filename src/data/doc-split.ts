// The rules that cut text into documents (each ends with EOS). The data layer owns them; the
// checkpoint records the one a run used, and `auto` is resolved before any text is encoded.

export const DOC_SPLITS = ['line', 'blank', 'file', 'none'] as const;

/** line: one document per non-empty line; blank: paragraphs between blank lines; file: one per
 *  file; none: one continuous stream. */
export type DocSplit = (typeof DOC_SPLITS)[number];

/** What a user may ask for: a rule, or `auto` (chosen from the text). */
export type DocSplitRule = DocSplit | 'auto';
