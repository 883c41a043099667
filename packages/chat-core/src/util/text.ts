/**
 * Text as people type it: every stored text is NFC-normalized (so `é` typed two ways is one
 * string, for search and equality alike), and names refuse what cannot be seen or shown.
 */
import { z } from 'zod';

/**
 * Control characters (C0, DEL, C1), which would let a name carry terminal escape sequences or a
 * NUL into logs and UIs. Tab and newline are controls too: a name is one line.
 */
const CONTROL = /\p{Cc}/u;

/** A UTF-16 surrogate without its pair: not a character, and invalid in UTF-8. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What draws nothing on its own: white space, format characters (zero-width space and joiners,
 * bidi marks, the BOM), combining marks without a base, variation selectors, and the Hangul and
 * Braille fillers that pass for letters but show as blanks.
 */
const INVISIBLE = /^(?:[\s\p{Cf}\p{Mn}\p{Me}\u115F\u3164\uFFA0\u2800]|\u1160)*$/u;

/** Number of code points (what a person counts as characters; an emoji is one). */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/** NFC form of a string; lone surrogates are left for the schemas to refuse. */
export function nfc(value: string): string {
  return value.normalize('NFC');
}

/**
 * A display name (nickname, group name): trimmed, NFC-normalized, 1 to `max` characters, with no
 * control characters, no lone surrogates and at least one visible character.
 */
export function displayNameSchema(max: number) {
  return z
    .string({ error: 'required, a string' })
    .superRefine((value, ctx) => {
      if (CONTROL.test(value))
        ctx.addIssue({ code: 'custom', message: 'must not contain control characters' });
      else if (LONE_SURROGATE.test(value))
        ctx.addIssue({ code: 'custom', message: 'must be valid Unicode text' });
    })
    .transform((value) => nfc(value).trim())
    .superRefine((value, ctx) => {
      if (value.length === 0) ctx.addIssue({ code: 'custom', message: 'required' });
      else if (INVISIBLE.test(value))
        ctx.addIssue({ code: 'custom', message: 'must contain a visible character' });
      else if (codePointLength(value) > max)
        ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters` });
    });
}

/**
 * Free text (bio, announcement, join note): lone surrogates and NUL refused, NFC-normalized and
 * trimmed, at most `max` characters. Line breaks and tabs are allowed here.
 */
export function freeTextSchema(max: number) {
  return z
    .string({ error: 'must be a string' })
    .superRefine((value, ctx) => {
      if (LONE_SURROGATE.test(value)) ctx.addIssue({ code: 'custom', message: 'must be valid Unicode text' });
      else if (value.includes('\u0000'))
        ctx.addIssue({ code: 'custom', message: 'must not contain NUL characters' });
    })
    .transform((value) => nfc(value).trim())
    .refine((value) => codePointLength(value) <= max, { message: `must be at most ${max} characters` });
}

/** Whether a string holds a lone surrogate (invalid Unicode). */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}
