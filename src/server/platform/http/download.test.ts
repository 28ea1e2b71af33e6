import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attachment } from './download';

test('a plain ASCII file name goes as it is', () => {
  assert.equal(attachment('journal-audit-hygie.csv'), 'attachment; filename="journal-audit-hygie.csv"');
});

test('any other keeps its real name for today’s browsers and an ASCII one for old clients (RFC 6266)', () => {
  assert.equal(attachment('Procédure été.pdf'), `attachment; filename="Procedure ete.pdf"; filename*=UTF-8''Proc%C3%A9dure%20%C3%A9t%C3%A9.pdf`);
  // Quotes and backslashes cannot break out of the header value.
  assert.equal(attachment('a"b\\c.txt'), `attachment; filename="a_b_c.txt"; filename*=UTF-8''a%22b%5Cc.txt`);
  // Nothing left in ASCII: the fallback name.
  assert.equal(attachment('報告.pdf', 'piece-jointe'), `attachment; filename=".pdf"; filename*=UTF-8''%E5%A0%B1%E5%91%8A.pdf`);
  assert.equal(attachment('報告'), `attachment; filename="fichier"; filename*=UTF-8''%E5%A0%B1%E5%91%8A`);
});
