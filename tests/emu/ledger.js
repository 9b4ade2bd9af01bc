'use strict';
// tests/emu/ledger.js: the credential ledger shared by the test emulators (tests/emu/sts.js writes it,
// tests/emu/oss.js reads it). Everything lives under the emulators' common state directory:
//   DIR/accounts.json            [{"AccessKeyId","AccessKeySecret"[,"Disabled":true][,"Root":true]}]
//                                long-term AccessKeys (written by the tests; absent = none)
//   DIR/issued/<AccessKeyId>.json {"AccessKeyId","AccessKeySecret","SecurityToken","Expiration", ...}
//                                every temporary credential the STS emulator issued; Expiration is
//                                "YYYY-MM-DDThh:mm:ssZ"; extra fields: "Policy" (the session policy, if any),
//                                "RoleArn", "RoleSessionName", "Source", "Issued"
// Files are written atomically (temporary file + rename), so a reader never sees half an entry.
// `now` arguments accept a Date, milliseconds since the epoch or an ISO 8601 string; default Date.now().

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

// AccessKeyIds become file names: allow only what real ones are made of (no '/', no '..' alone).
const AKID_RE = /^[A-Za-z0-9._-]{1,128}$/;
const EXPIRATION_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

function toMs(now) {
  if (now === undefined || now === null) return Date.now();
  if (now instanceof Date) return now.getTime();
  if (typeof now === 'number') return now;
  if (typeof now === 'string') {
    const ms = Date.parse(now);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new TypeError(`ledger: bad time value ${String(now)}`);
}

// Milliseconds since the epoch for an "YYYY-MM-DDThh:mm:ssZ" string, or NaN.
function parseExpiration(s) {
  const m = typeof s === 'string' ? EXPIRATION_RE.exec(s) : null;
  if (!m) return NaN;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  // Date.UTC normalises 2026-02-31 into March: refuse such dates instead.
  return new Date(ms).toISOString().slice(0, 19) + 'Z' === s ? ms : NaN;
}

function formatExpiration(ms) {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

function validAkid(akid) {
  return typeof akid === 'string' && AKID_RE.test(akid) && akid !== '.' && akid !== '..';
}

function readJson(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    // not e.message: V8 quotes part of the text, which may be a secret
    throw new Error(`ledger: ${file}: not valid JSON`);
  }
}

// The long-term keys: always an array (empty when accounts.json is absent).
function readAccounts(stateDir) {
  const list = readJson(path.join(stateDir, 'accounts.json'));
  if (list === null) return [];
  if (!Array.isArray(list)) throw new Error('ledger: accounts.json must be an array');
  return list.filter((a) => a && typeof a.AccessKeyId === 'string' && typeof a.AccessKeySecret === 'string');
}

// The issued entry for akid, or null.
function readIssued(stateDir, akid) {
  if (!validAkid(akid)) return null;
  const e = readJson(path.join(stateDir, 'issued', `${akid}.json`));
  if (!e || e.AccessKeyId !== akid || typeof e.AccessKeySecret !== 'string') return null;
  return e;
}

// Write one issued credential atomically; the entry must carry the four STS fields.
function writeIssued(stateDir, entry) {
  for (const k of ['AccessKeyId', 'AccessKeySecret', 'SecurityToken', 'Expiration']) {
    if (typeof entry[k] !== 'string' || entry[k] === '') throw new Error(`ledger: entry without ${k}`);
  }
  if (!validAkid(entry.AccessKeyId)) throw new Error('ledger: bad AccessKeyId');
  if (Number.isNaN(parseExpiration(entry.Expiration))) throw new Error('ledger: bad Expiration');
  const dir = path.join(stateDir, 'issued');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const final = path.join(dir, `${entry.AccessKeyId}.json`);
  const tmp = path.join(dir, `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
  fs.writeFileSync(tmp, JSON.stringify(entry) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, final);
  return final;
}

// lookupAccessKey(stateDir, akid, now) -> null when the key is unknown, else
// {secret, token, expiration, expired, policy, longTerm, disabled}: token/expiration/policy are null for
// a long-term key; expiration is the ledger string; expired tells whether it has passed at `now`.
// An expired credential is still returned (the caller decides what an expired token means).
function lookupAccessKey(stateDir, akid, now) {
  if (!validAkid(akid)) return null;
  const t = toMs(now);
  const acct = readAccounts(stateDir).find((a) => a.AccessKeyId === akid);
  if (acct) {
    return {
      secret: acct.AccessKeySecret, token: null, expiration: null, expired: false, policy: null,
      longTerm: true, disabled: acct.Disabled === true, root: acct.Root === true,
    };
  }
  const e = readIssued(stateDir, akid);
  if (!e) return null;
  const exp = parseExpiration(e.Expiration);
  return {
    secret: e.AccessKeySecret, token: e.SecurityToken, expiration: e.Expiration,
    expired: !(t < exp), policy: typeof e.Policy === 'string' ? e.Policy : null,
    longTerm: false, disabled: false, root: false,
  };
}

function sameString(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

// checkToken(stateDir, akid, token, now) -> 'unknown' (akid is not an issued temporary key),
// 'mismatch' (token missing or not the one issued with akid), 'expired' (now >= Expiration) or 'ok'.
function checkToken(stateDir, akid, token, now) {
  const t = toMs(now);
  const e = readIssued(stateDir, akid);
  if (!e) return 'unknown';
  if (typeof token !== 'string' || token === '' || !sameString(token, e.SecurityToken)) return 'mismatch';
  const exp = parseExpiration(e.Expiration);
  if (!(t < exp)) return 'expired';
  return 'ok';
}

module.exports = {
  lookupAccessKey,
  checkToken,
  readAccounts,
  readIssued,
  writeIssued,
  parseExpiration,
  formatExpiration,
  validAkid,
};
