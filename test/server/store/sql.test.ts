import { describe, expect, it } from 'vitest';
import { join, render, sql, where } from '../../../src/server/store/sql.ts';

describe('SQL fragments', () => {
  it('sends values as parameters, never as text, in either placeholder style', () => {
    const hostile = "x'; DROP TABLE grants; --";
    const query = sql`SELECT id FROM grants WHERE issuer_username = ${hostile} AND starts_at >= ${5}`;
    expect(render(query, 'question')).toEqual({ text: 'SELECT id FROM grants WHERE issuer_username = ? AND starts_at >= ?', values: [hostile, 5] });
    expect(render(query, 'dollar')).toEqual({ text: 'SELECT id FROM grants WHERE issuer_username = $1 AND starts_at >= $2', values: [hostile, 5] });
  });

  it('numbers the parameters of nested fragments in order', () => {
    const conditions = [sql`a = ${1}`, sql`b = ${'two'}`, sql`c IN (${join([sql`${3}`, sql`${4}`], ', ')})`];
    const query = sql`SELECT * FROM t${where(conditions)} LIMIT ${10}`;
    expect(render(query, 'dollar')).toEqual({ text: 'SELECT * FROM t WHERE a = $1 AND b = $2 AND c IN ($3, $4) LIMIT $5', values: [1, 'two', 3, 4, 10] });
  });

  it('leaves out WHERE when there are no conditions, and keeps null as a value', () => {
    expect(render(sql`SELECT 1${where([])}`, 'question').text).toBe('SELECT 1');
    expect(render(sql`UPDATE t SET x = ${null}`, 'dollar')).toEqual({ text: 'UPDATE t SET x = $1', values: [null] });
  });
});
