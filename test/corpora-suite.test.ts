// The transforms of corpora/build-suite.mjs turn each source format into the documents its
// suggested --doc-split expects, dropping only what the manifest says they drop. Pure functions on
// small hand-written inputs: the suite itself is never built here.

import { describe, expect, it } from 'vitest';

interface SuiteHelpers {
  kjvChapters(text: string): string;
  fortuneEntries(text: string): string[];
  reduceEmail(text: string): string | null;
  corpusStats(bytes: Uint8Array): { bytes: number; chars: number; distinctChars: number; sha256: string };
}
// A plain .mjs script (run by node without a build), so it has no type declarations.
const suite = (await import('../corpora/build-suite.mjs' as string)) as SuiteHelpers;

describe('kjvChapters', () => {
  it('strips verse references and makes each chapter a paragraph, numbered books included', () => {
    const out = suite.kjvChapters('Ge1:1 In the beginning.\nGe1:2 And the earth.\nGe2:1 Thus the heavens. \n1Sm1:1 Now there was.\n');
    expect(out).toBe('In the beginning.\nAnd the earth.\n\nThus the heavens.\n\nNow there was.\n');
  });

  it('refuses a line without a reference instead of guessing', () => {
    expect(() => suite.kjvChapters('Ge1:1 In the beginning.\nGenesis\n')).toThrow(/unexpected line/);
  });
});

describe('fortuneEntries', () => {
  it('splits at lines that are exactly %, removing CR, trailing spaces, blank lines inside and empty entries', () => {
    const text = 'Аппетит приходит... \r\n\t\t-- Кащеев\r\n%\r\n\r\n%\nfirst line\n\nsecond line\n%\n%not a separator\n';
    expect(suite.fortuneEntries(text)).toEqual(['Аппетит приходит...\n\t\t-- Кащеев', 'first line\nsecond line', '%not a separator']);
  });
});

describe('reduceEmail', () => {
  const raw = [
    'From someone@example.org  Thu Aug 22 12:36:23 2002',
    'Return-Path: <someone@example.org>',
    'Received: from localhost (localhost [127.0.0.1])',
    '\tby phobos.example.org (Postfix) with ESMTP id D03E543C36',
    'From: Some One <someone@example.org>',
    'Subject: Re: a long subject',
    '    folded onto a second line',
    'Message-Id: <1@example.org>',
    'Date: Thu, 22 Aug 2002 18:26:25 +0700',
    '',
    'Body line one.',
    '',
    '> quoted',
    '',
    '',
  ].join('\n');

  it('keeps From, Subject (with its folded line) and Date in their order, then the body', () => {
    expect(suite.reduceEmail(raw)).toBe([
      'From: Some One <someone@example.org>',
      'Subject: Re: a long subject',
      '    folded onto a second line',
      'Date: Thu, 22 Aug 2002 18:26:25 +0700',
      '',
      'Body line one.',
      '',
      '> quoted',
      '',
    ].join('\n'));
  });

  it('drops a message with a base64 part', () => {
    const mime = raw.replace('Body line one.', '--b\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--b--');
    expect(suite.reduceEmail(mime)).toBeNull();
  });
});

describe('corpusStats', () => {
  it('counts bytes, code points and distinct code points, and hashes the bytes', () => {
    // a (1 byte), é (2), 😀 (4, one code point but two UTF-16 units), a again
    const s = suite.corpusStats(new TextEncoder().encode('aé😀a'));
    expect([s.bytes, s.chars, s.distinctChars]).toEqual([8, 4, 3]);
    // FIPS 180-2, appendix B.1: SHA-256("abc")
    expect(suite.corpusStats(new TextEncoder().encode('abc')).sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('refuses bytes that are not UTF-8 (rnn would refuse the corpus)', () => {
    expect(() => suite.corpusStats(Uint8Array.of(0x61, 0xff))).toThrow();
  });
});
