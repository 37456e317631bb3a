/** A `%…%` ILIKE pattern matching `text` literally (its own % and _ are escaped). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
