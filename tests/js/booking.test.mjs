// tests/js/booking.test.mjs — web/lib/booking.js (HallqBook): the booking
// code's alphabet, the ID number's GB 11643 check digit, mobile numbers,
// what a kiosk check-in entry is, bookable matters by domain, slots by the
// hall's day, and how days and moments are said in the hall's zone.
import test from 'node:test';
import assert from 'node:assert/strict';

await import('../../web/lib/text.js');
await import('../../web/lib/booking.js');
const T = globalThis.HallqText;
const B = globalThis.HallqBook;

test('ID numbers: the GB 11643 check digit', () => {
  assert.equal(B.idCheckChar('11010519491231002'), 'X');	/* the standard's example */
  assert.equal(B.idProblem('11010519491231002X'), 'ok');
  assert.equal(B.idProblem('11010519491231002x'), 'ok');	/* read in upper case */
  assert.equal(B.idProblem(' 110105 19491231 002X '), 'ok');
  assert.equal(B.idProblem('110105194912310021'), 'check');
  assert.equal(B.idProblem('1101051949123100'), 'length');
  assert.equal(B.idProblem('1101051949123100AX'), 'chars');
  assert.equal(B.idProblem(''), 'length');
  /* Every first 17 digits has exactly one check character. */
  const base = '44030119900101123';
  const good = [...'0123456789X'].filter(c => B.isIdNumber(base + c));
  assert.equal(good.length, 1);
  assert.equal(good[0], B.idCheckChar(base));
});

test('phones and codes', () => {
  assert.ok(B.isPhone('13812345678'));
  assert.ok(B.isPhone('199 1234 5678'));
  assert.ok(!B.isPhone('12812345678'));
  assert.ok(!B.isPhone('1381234567'));
  assert.ok(!B.isPhone('+8613812345678'));
  assert.ok(B.isCode('K7M2Q9XA'));
  assert.ok(B.isCode('k7m2 q9xa'));
  assert.ok(!B.isCode('K7M2Q9X0'), '0 is not in the alphabet');
  assert.ok(!B.isCode('K7M2Q9XI'), 'I is not in the alphabet');
  assert.ok(!B.isCode('K7M2Q9X'));
  assert.equal(B.ALPHABET.length, 31);
  for (const c of '01ILO') assert.ok(!B.ALPHABET.includes(c));
});

test('check-in entry: a code, an ID number, or why not', () => {
  assert.deepEqual(B.checkinEntry('k7m2q9xa'), { kind: 'code', value: 'K7M2Q9XA' });
  assert.deepEqual(B.checkinEntry('11010519491231002x'), { kind: 'id', value: '11010519491231002X' });
  assert.deepEqual(B.checkinEntry(''), { kind: 'bad', why: 'empty' });
  // the booking's QR code, as a scanner types it (upper-cased by the field too)
  assert.deepEqual(B.checkinEntry('http://127.0.0.1:8080/book?code=K7M2Q9XA&token=0b84df737b9a71032402a63e09b1f8fe'),
    { kind: 'code', value: 'K7M2Q9XA' });
  assert.deepEqual(B.checkinEntry('HTTP://HALL.EXAMPLE/BOOK?TOKEN=AB&CODE=k7m2q9xa'), { kind: 'code', value: 'K7M2Q9XA' });
  assert.equal(B.checkinEntry('http://x/book?code=K7M2Q9X1&token=a').kind, 'bad');  // 1 is not in the alphabet
  assert.deepEqual(B.checkinEntry('110105194912310021'), { kind: 'bad', why: 'check' });
  assert.deepEqual(B.checkinEntry('1101051949123'), { kind: 'bad', why: 'id' });
  assert.deepEqual(B.checkinEntry('K7M2'), { kind: 'bad', why: 'code' });
  assert.deepEqual(B.checkinEntry('K7M2Q9X1'), { kind: 'bad', why: 'code' });
});

test('bookable matters grouped by domain, in order', () => {
  const ms = [
    { code: 'SB01', domain: 'SB', bookable: true }, { code: 'YB01', domain: 'YB', bookable: false },
    { code: 'SB02', domain: 'SB', bookable: false }, { code: 'GA02', domain: 'GA', bookable: true },
    { code: 'SB03', domain: 'SB', bookable: true }];
  const g = B.bookableDomains(ms);
  assert.deepEqual(g.map(d => [d.domain, d.matters.map(m => m.code)]), [['SB', ['SB01', 'SB03']], ['GA', ['GA02']]]);
  assert.deepEqual(B.bookableDomains(null), []);
});

test('slots by the hall\'s day: a slot at 00:30 Shanghai is that day, not UTC\'s', () => {
  T.setHall({ timezone: 'Asia/Shanghai', utc_offset_s: 28800 });
  const at = (d, h, m) => Date.UTC(2026, 11, d, h - 8, m);	/* Shanghai wall clock */
  const slots = [
    { start: at(2, 9, 0), end: at(2, 9, 30), capacity: 2, free: 0, blocked: false },
    { start: at(1, 9, 0), end: at(1, 9, 30), capacity: 2, free: 2, blocked: false },
    { start: at(1, 9, 30), end: at(1, 10, 0), capacity: 2, free: 1, blocked: true },
    { start: at(2, 0, 30), end: at(2, 1, 0), capacity: 3, free: 3, blocked: false }];
  const days = B.slotDays(slots);
  assert.deepEqual(days.map(d => [d.day, d.slots.length, d.free, d.open]),
    [['2026-12-01', 2, 2, 1], ['2026-12-02', 2, 3, 1]]);
  assert.equal(days[1].slots[0].start, at(2, 0, 30), 'in time order');
  assert.equal(B.span(at(1, 9, 0), at(1, 9, 30)), '09:00–09:30');
});

test('days and moments said in both languages', () => {
  T.setHall({ timezone: 'Asia/Shanghai', utc_offset_s: 28800 });
  assert.equal(B.dayLabel('2026-12-02', 'zh'), '12月2日 周三');
  assert.equal(B.dayLabel('2026-12-02', 'en'), 'Wed 2 Dec');
  assert.equal(B.dayLabel('2026-12-02', 'zh', '2026-12-01'), '明天 12月2日 周三');
  assert.equal(B.dayLabel('2026-12-01', 'en', '2026-12-01'), 'Today, Tue 1 Dec');
  assert.equal(B.dayDiff('2026-12-31', '2027-01-01'), 1);
  const now = Date.UTC(2026, 11, 1, 1, 0);	/* 09:00 Shanghai, Tue 1 Dec */
  assert.equal(B.when(Date.UTC(2026, 11, 1, 5, 30), 'zh', now), '13:30');
  assert.equal(B.when(Date.UTC(2026, 11, 2, 0, 30), 'zh', now), '明天 12月2日 周三 08:30');
  assert.equal(B.when(Date.UTC(2026, 11, 3, 0, 30), 'en', now), 'Thu 3 Dec 08:30');
  assert.equal(B.when(null, 'zh', now), '');
});
