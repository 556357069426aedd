import type { MessageView } from '../../../shared/contract';
import type { Row } from './timeline';

/** Messages from one sender this close together read as one group: the avatar and name shown once. */
export const groupWindowMs = 5 * 60_000;

/**
 * Whether `m` continues the group `previous` started: same sender, both shown as ordinary messages, within five
 * minutes. An urgent message always starts its own group, so its sender is never left to be inferred.
 */
export function continuesGroup(previous: MessageView | null, m: MessageView): boolean {
  if (!previous || previous.senderUserId !== m.senderUserId) return false;
  if (previous.verdict !== 'valid' || m.verdict !== 'valid' || m.urgent) return false;
  const gap = Date.parse(m.time) - Date.parse(previous.time);
  return gap >= 0 && gap < groupWindowMs;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** "AR" for "Dr Asha Rao": the first letters of the first and last names, titles left out. */
export function initialsOf(displayName: string): string {
  const words = displayName
    .split(/\s+/)
    .filter((w) => w && !/^(dr|prof|mr|mrs|ms|miss|mx|sr|sister|nurse|डॉ|श्री|श्रीमती)\.?$/iu.test(w));
  const first = (word: string | undefined): string => {
    if (!word) return '';
    const [grapheme] = graphemes.segment(word);
    return grapheme?.segment.toLocaleUpperCase() ?? '';
  };
  const letters = words.length > 1 ? first(words[0]) + first(words.at(-1)) : first(words[0]);
  return letters || first(displayName.trim()) || '?';
}

/** The message in the row before `index`, if that row is a message (a day line or a notice ends a group). */
export function messageBefore(rows: readonly Row[], index: number): MessageView | null {
  const row = rows[index - 1];
  return row?.kind === 'message' ? row.message : null;
}
