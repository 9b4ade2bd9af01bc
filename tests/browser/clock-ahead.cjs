'use strict';
/*
 * tests/browser/clock-ahead.cjs: preloaded (node --require) into a second OSS
 * emulator so that its clock runs OSS_CLOCK_AHEAD seconds ahead of the real
 * one.  tests/browser.sh routes one upload there: it arrives, as far as that
 * emulator can tell, long after its policy expired (but within the 15 minutes
 * x-oss-date may be off), and the emulator answers as OSS does:
 * 403 AccessDenied "Invalid according to Policy: Policy expired."
 * Only "now" moves: Date.now() and new Date() without arguments.
 */
const ahead = Number(process.env.OSS_CLOCK_AHEAD || 0) * 1000;
if (!Number.isFinite(ahead)) throw new Error('OSS_CLOCK_AHEAD: not a number');
const RealDate = Date;
class AheadDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + ahead);
    else super(...args);
  }
  static now() { return RealDate.now() + ahead; }
}
globalThis.Date = AheadDate;
