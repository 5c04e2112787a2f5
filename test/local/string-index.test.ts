/**
 * The store's string columns: the typed index that finds each value's code, and the views the
 * engine reads (codes as stored, a dictionary that never changes once handed out).
 */
import { describe, expect, it } from 'vitest';
import { dictionaryCode, StringIndex } from '../../lib/kql/string-index.js';
import { appendColumn, appendColumnFrom } from '../../lib/local/stored-columns.js';
import { dictionaryArray } from '../../lib/kql/packed-strings.js';

describe('StringIndex', () => {
  it('finds every string it was given, the empty one included, across growth', () => {
    const dict: string[] = [];
    const index = new StringIndex();
    const texts = ['', 'a', 'b', 'é', '😀', ...Array.from({ length: 5000 }, (_, i) => `req-${i}`)];
    for (const t of texts) {
      expect(index.get(t, dict)).toBe(-1);
      dict.push(t);
      index.add(dict.length - 1, dict);
    }
    texts.forEach((t, code) => expect(index.get(t, dict)).toBe(code));
    expect(index.get('req-5000', dict)).toBe(-1);
    expect(index.get('c', dict)).toBe(-1);
  });

  it('keeps the first code of a string added twice', () => {
    const dict = ['x', 'y', 'x'];
    const index = new StringIndex();
    dict.forEach((_, c) => index.add(c, dict));
    expect(index.get('x', dict)).toBe(0);
    expect(index.get('y', dict)).toBe(1);
  });
});

describe('string columns', () => {
  it('gives each distinct value one code, the empty string included', () => {
    const col = appendColumn('c', 'string');
    for (let i = 0; i < 3000; i++) col.push(i % 3 === 0 ? '' : i % 3 === 1 ? null : `v${i % 7}`);
    const view = col.view(3000);
    if (view.kind !== 'dict') throw new Error('not a dictionary column');
    expect(new Set(dictionaryArray(view.dict)).size).toBe(dictionaryArray(view.dict).length);
    expect(dictionaryArray(view.dict).length).toBe(1 + 7);
    for (let i = 0; i < 3000; i++)
      expect(dictionaryArray(view.dict)[view.codes[i]!]).toBe(i % 3 === 2 ? `v${i % 7}` : '');
  });

  it('hands out the codes as stored, and a dictionary later values never change', () => {
    const col = appendColumn('c', 'string');
    for (let i = 0; i < 100; i++) col.push(`a${i % 10}`);
    const first = col.view(100);
    if (first.kind !== 'dict') throw new Error('not a dictionary column');
    expect(first.codes).toBeInstanceOf(Uint8Array);
    const before = [...dictionaryArray(first.dict)];
    for (let i = 0; i < 1000; i++) col.push(`b${i}`);
    expect(dictionaryArray(first.dict)).toEqual(before);
    expect(first.codes.length).toBe(100);
    const second = col.view(1100);
    if (second.kind !== 'dict') throw new Error('not a dictionary column');
    expect(second.codes).toBeInstanceOf(Uint16Array);
    expect(dictionaryArray(second.dict).length).toBe(before.length + 1000);
    expect(dictionaryArray(second.dict)[second.codes[1099]!]).toBe('b999');
    expect(dictionaryArray(second.dict)[second.codes[5]!]).toBe('a5');
    // A value seen before takes its old code, after the view as before it.
    col.push('a3');
    expect(col.get(1100)).toBe('a3');
    const third = col.view(1101);
    if (third.kind !== 'dict') throw new Error('not a dictionary column');
    expect(third.codes[1100]).toBe(third.codes[3]);
  });

  it('shares its index for a dictionary it handed out, which knows no later strings', () => {
    const col = appendColumn('c', 'string');
    for (let i = 0; i < 50; i++) col.push(`k${i}`);
    const first = col.view(50);
    if (first.kind !== 'dict') throw new Error('not a dictionary column');
    for (let i = 0; i < 50; i++) col.push(`late${i}`);
    const code = dictionaryCode(first.dict);
    expect(code('k7')).toBe(dictionaryArray(first.dict).indexOf('k7'));
    expect(code('')).toBe(0);
    expect(code('late3')).toBe(-1);
    const second = col.view(100);
    if (second.kind !== 'dict') throw new Error('not a dictionary column');
    expect(dictionaryCode(second.dict)('late3')).toBe(
      dictionaryArray(second.dict).indexOf('late3'),
    );
  });

  it('adopts sealed codes in their width and keeps appending', () => {
    const col = appendColumnFrom('c', 'string', {
      kind: 'dict',
      codes: Uint8Array.from([1, 2, 1, 0]),
      dict: ['', 'p', 'q'],
    });
    col.push('q');
    col.push('r');
    const view = col.view(6);
    if (view.kind !== 'dict') throw new Error('not a dictionary column');
    expect([...view.codes].map((c) => dictionaryArray(view.dict)[c])).toEqual([
      'p',
      'q',
      'p',
      '',
      'q',
      'r',
    ]);
    expect(dictionaryArray(view.dict)).toEqual(['', 'p', 'q', 'r']);
  });
});
