#!/usr/bin/env node
'use strict';
// tests/emu/sts.js: an Alibaba Cloud STS emulator for ossign's tests (with the ECS instance metadata
// service and a credentials URI). It checks requests the way the real services do, so a client that
// passes against it has its signing, parameters and error handling right; it listens on 127.0.0.1 only.
//
// Usage: node tests/emu/sts.js --state DIR [--cert server.pem --key server-key.pem]
//            [--port N] [--http-port N] [--lifetime SECONDS] [--max-duration SECONDS]
//            [--ecs-role NAME] [--now ISO8601 | --clock-offset SECONDS] [--stdin-lifeline]
//   --cert/--key the HTTPS server certificate and key; without them DIR/server.pem and DIR/server-key.pem,
//                made by tests/lib/mkca.sh if absent (clients then trust DIR/ca.pem)
//   --port       HTTPS port (STS API on "/", credentials URI on "/credentials", admin "/_emu/"); 0 = any
//   --http-port  plain HTTP port (ECS metadata "/latest/...", "/credentials", "/_emu/"); 0 = any
//   --lifetime   lifetime of every credential issued (default: DurationSeconds; 21600 s for ECS
//                metadata; 3600 s for the credentials URI), to exercise refreshing quickly
//   --max-duration  MaxSessionDuration of roles not listed in roles.json (default 3600, as in RAM)
//   --ecs-role   the instance's RAM role name (default oss-upload-role)
//   --now/--clock-offset  start the emulator's clock at a given time / this far from the real one
//   --stdin-lifeline  exit when stdin reaches end of file: a test that spawns the emulator with a pipe
//                on stdin does not leave it behind if the test itself is killed
// Prints "listening HTTPS_PORT HTTP_PORT" on stdout once both listeners are ready; logs one line per
// call on stderr (never a secret or a token); exits 0 on SIGTERM/SIGINT.
//
// State directory DIR (shared with tests/emu/oss.js, see tests/emu/ledger.js):
//   accounts.json  long-term keys accepted for signing (absent = none); an entry may say
//                  "Disabled":true (InvalidAccessKeyId.Inactive) or "Root":true (NoPermission)
//   roles.json     optional [{"Arn","MaxSessionDuration"[,"ExternalId"]}]. Absent: any well-formed role
//                  ARN exists, with MaxSessionDuration = --max-duration. Present: only the roles listed
//                  exist (others: 404 EntityNotExist.Role); "ExternalId" makes it mandatory (NoPermission)
//   oidc_token     the one OIDC token AssumeRoleWithOIDC accepts (trailing white space of the file is
//                  ignored; the token sent must not have any); absent = every token refused
//   oidc_providers.json  optional ["acs:ram::UID:oidc-provider/NAME", ...]; absent = any well-formed ARN
//   issued/<AccessKeyId>.json  written here for every credential issued (with "Policy" when a session
//                  policy was given)
//
// STS API (POST or GET on "/", Version 2015-04-01): AssumeRole signed with the RPC signature (HMAC-SHA1,
// parameters in the query or a form body) or with ACS3-HMAC-SHA256 (x-acs-* headers, parameters in the
// query or a form body); both are verified with @alicloud/openapi-util, the vendor's own code. Checks, in
// order: action and version, timestamp format, AccessKeyId (accounts.json, or an unexpired issued key
// with its SecurityToken, i.e. role chaining), 15-minute clock window, signature, nonce never reused
// (remembered even when the call then fails, as a real gateway does), then the parameters.
// RPC answers XML unless Format=JSON, like the real service; ACS3 answers JSON.
// AssumeRoleWithOIDC is unsigned; the token must be a three-part JWT equal to DIR/oidc_token and, when it
// has an "exp" claim, unexpired.
// Errors: HTTP 4xx/5xx with {"RequestId","HostId","Code","Message","Recommend"} (an XML <Error> when the
// RPC call did not ask for JSON) and an x-acs-request-id header. An absent mandatory parameter is
// Missing<Name> (400), which is what the real gateway says (MissingRoleArn, MissingSignature, ...).
//
// ECS metadata (HTTP port only): PUT /latest/api/token with X-aliyun-ecs-metadata-token-ttl-seconds
// (1..21600; 400 otherwise, 403 with X-Forwarded-For); GET /latest/meta-data/ram/security-credentials/ lists
// the role, .../ROLE answers {"AccessKeyId","AccessKeySecret","Expiration","SecurityToken","LastUpdated",
// "Code":"Success"}; both need X-aliyun-ecs-metadata-token (403 without a valid unexpired one; 404 for
// another role). Credentials URI: GET /credentials (and any path below /credentials/, so a test can
// see the exact path a client asked for in the log) on both ports answers {"Code":"Success","AccessKeyId",
// "AccessKeySecret","SecurityToken","Expiration"}. These two reuse their credentials until half the
// lifetime is gone, as the real services do, and write them to the ledger too.
//
// Admin API (both ports): GET /_emu/stats -> {"AssumeRole","AssumeRoleWithOIDC","metadata" (credentials
// GETs),"metadata_token","metadata_list","credentials_uri","errors","injected","issued": counts,
// "last":{action: its last accepted request, no secrets},"fail":{...},"clock":{...}}; POST /_emu/reset (counters, failure mode, nonces, metadata
// tokens, cached metadata/URI credentials, clock back to its start offset; the ledger stays);
// POST /_emu/fail {"mode":M,"count":N[,"action":A]} (N calls fail, -1 = until cleared, default 1;
// A limits it to AssumeRole | AssumeRoleWithOIDC | metadata | credentials_uri); {"mode":"none"} clears;
// GET/POST /_emu/clock {"now":ISO} | {"offset":S} | {"advance":S}.
// Failure modes hit credential calls only (AssumeRole, AssumeRoleWithOIDC, the metadata credentials GET,
// the credentials URI), after authentication (signature, nonce, metadata token), before the parameters.

const fs = require('fs');
const path = require('path');
const http = require('http');
const https = require('https');
const crypto = require('crypto');
const ledger = require('./ledger');

let OpenApiUtil;
try {
  OpenApiUtil = require('@alicloud/openapi-util').default;
} catch (e) {
  process.stderr.write('sts-emu: @alicloud/openapi-util is missing (run npm ci at the top of the tree)\n');
  process.exit(1);
}

const API_VERSION = '2015-04-01';
const HOST_ID = 'sts.aliyuncs.com';
const MAX_BODY = 1024 * 1024;
const CLOCK_WINDOW_MS = 15 * 60 * 1000;
const MIN_DURATION = 900;
const MAX_POLICY = 2048;
const ECS_TOKEN_TTL_MAX = 21600;
const ECS_DEFAULT_LIFETIME = 21600;
const URI_DEFAULT_LIFETIME = 3600;
const ACCOUNT_UID = '1234567890123456';

const ROLE_ARN_RE = /^acs:ram::(\d+):role\/([A-Za-z0-9.@_-]{1,64})$/;
const OIDC_PROVIDER_RE = /^acs:ram::\d+:oidc-provider\/[A-Za-z0-9._-]{1,128}$/;
const SESSION_RE = /^[A-Za-z0-9.@_-]{2,64}$/;
const EXTERNAL_ID_RE = /^[A-Za-z0-9=,.@:\/_-]{2,1224}$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const FAIL_MODE_RE = /^(none|hang|close|http500|http503|throttle|garbage|partial|nopermission|badrole|timestamp|slow:\d{1,7})$/;
const FAIL_ACTIONS = ['AssumeRole', 'AssumeRoleWithOIDC', 'metadata', 'credentials_uri'];

// Code -> [HTTP status, default message], as the real STS gateway answers.
const ERRORS = {
  'InvalidParameter': [400, 'The specified parameter is not valid.'],
  'InvalidParameter.RoleArn': [400, 'The parameter RoleArn is wrongly formed.'],
  'InvalidParameter.RoleSessionName': [400, 'The parameter RoleSessionName is wrongly formed.'],
  'InvalidParameter.DurationSeconds': [400, 'The Min/Max value of DurationSeconds is 15min/1hr.'],
  'InvalidParameter.PolicyGrammar': [400, 'The parameter Policy has not passed grammar check.'],
  'InvalidParameter.PolicySize': [400, 'The size of Policy must be no more than 2048.'],
  'InvalidParameter.ExternalId': [400, 'The parameter ExternalId is wrongly formed.'],
  'InvalidParameter.OIDCProviderArn': [400, 'The parameter OIDCProviderArn is wrongly formed.'],
  'InvalidParameter.Format': [400, 'Specified parameter format is not valid.'],
  'InvalidVersion': [400, 'Specified parameter Version is not valid.'],
  'InvalidAction.NotFound': [404, 'Specified api is not found, please check your url and method.'],
  'IncompleteSignature': [400, 'The request signature does not conform to Aliyun standards.'],
  'SignatureDoesNotMatch': [400, 'Specified signature is not matched with our calculation.'],
  'SignatureNonceUsed': [400, 'Specified signature nonce was used already.'],
  'InvalidTimeStamp.Format': [400, 'Specified time stamp or date value is not well formatted.'],
  'InvalidTimeStamp.Expired': [400, 'Specified time stamp or date value is expired.'],
  'InvalidAccessKeyId.NotFound': [404, 'Specified access key is not found.'],
  'InvalidAccessKeyId.Inactive': [400, 'Specified access key is disabled.'],
  'MissingSecurityToken': [400, 'SecurityToken is mandatory for this action.'],
  'InvalidSecurityToken.Expired': [400, 'Specified SecurityToken is expired.'],
  'InvalidSecurityToken.MismatchWithAccessKey': [400, 'Specified SecurityToken mismatch with the AccessKey.'],
  'NoPermission': [403, 'You are not authorized to do this action. You should be authorized by RAM.'],
  'EntityNotExist.Role': [404, 'The specified Role not exists.'],
  'Throttling.User': [400, 'Request was denied due to user flow control.'],
  'AuthenticationFail.NoPermission': [401, 'No such OIDC Provider registered.'],
  'AuthenticationFail.OIDCToken.Invalid': [401, 'The Jwt content is invalid that cannot be recognized.'],
  'AuthenticationFail.OIDCToken.InvalidSignature': [401, 'OIDC token validate failed: invalid signature.'],
  'AuthenticationFail.OIDCToken.Expired': [401, 'This JsonWebToken is expired.'],
  'RequestEntityTooLarge': [413, 'The request body is too large.'],
  'InternalError': [500, 'The request processing has failed due to some unknown error.'],
  'ServiceUnavailable': [503, 'The request has failed due to a temporary failure of the server.'],
};

// Injected failure mode -> error code.
const FAIL_CODES = {
  http500: 'InternalError',
  http503: 'ServiceUnavailable',
  throttle: 'Throttling.User',
  nopermission: 'NoPermission',
  badrole: 'EntityNotExist.Role',
  timestamp: 'InvalidTimeStamp.Expired',
};

class StsError extends Error {
  constructor(code, message) {
    super(message || (ERRORS[code] ? ERRORS[code][1] : code));
    this.code = code;
    // Missing<Name> is the gateway's code for an absent mandatory parameter (400).
    this.status = ERRORS[code] ? ERRORS[code][0] : 400;
  }
}

function missing(name) {
  return new StsError(`Missing${name}`, `${name} is mandatory for this action.`);
}

// Non-error endings the handlers can throw: hang, close, garbage.
class Special {
  constructor(kind) { this.kind = kind; }
}

/* ---------------------------------------------------------------- options */

function usage(msg) {
  if (msg) process.stderr.write(`sts-emu: ${msg}\n`);
  process.stderr.write('usage: sts.js --state DIR [--cert PEM --key PEM] [--port N] [--http-port N] ' +
    '[--lifetime S] [--max-duration S] [--ecs-role NAME] [--now ISO8601 | --clock-offset S] [--stdin-lifeline]\n');
  process.exit(1);
}

function parseArgs(argv) {
  const o = { port: 0, httpPort: 0, lifetime: null, maxDuration: 3600, ecsRole: 'oss-upload-role',
    offsetMs: 0 };
  const int = (v, name, min, max) => {
    if (!/^-?\d+$/.test(v || '') || +v < min || +v > max) usage(`bad ${name}: ${v}`);
    return +v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    switch (a) {
      case '--state': o.state = v; i++; break;
      case '--cert': o.cert = v; i++; break;
      case '--key': o.key = v; i++; break;
      case '--port': o.port = int(v, a, 0, 65535); i++; break;
      case '--http-port': o.httpPort = int(v, a, 0, 65535); i++; break;
      case '--lifetime': o.lifetime = int(v, a, 1, 7 * 86400); i++; break;
      case '--max-duration': o.maxDuration = int(v, a, 3600, 43200); i++; break;
      case '--ecs-role':
        if (!/^[A-Za-z0-9.@_-]{1,64}$/.test(v || '')) usage(`bad ${a}: ${v}`);
        o.ecsRole = v; i++; break;
      case '--now': {
        const t = parseTimestamp(v || '');
        if (Number.isNaN(t)) usage(`bad --now: ${v}`);
        o.offsetMs = t - Date.now(); i++; break;
      }
      case '--clock-offset': o.offsetMs = int(v, a, -1e9, 1e9) * 1000; i++; break;
      case '--stdin-lifeline': o.lifeline = true; break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!o.state) usage('--state is required');
  if (!o.cert !== !o.key) usage('--cert and --key go together');
  return o;
}

/* ---------------------------------------------------------------- small helpers */

// Milliseconds for "YYYY-MM-DDThh:mm:ss[.fff]Z" (what the SDKs send), NaN otherwise.
function parseTimestamp(s) {
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return NaN;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (new Date(ms).toISOString().slice(0, 19) !== s.slice(0, 19)) return NaN;
  return ms + (m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0);
}

function isoSeconds(ms) {
  return ledger.formatExpiration(ms);
}

function sha256hex(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function sameString(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

// The parsed JSON of file, or undefined when it does not exist.
function readJsonFile(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON`);   // not e.message: V8 quotes part of the text
  }
}

function randomString(alphabet, n) {
  let s = '';
  while (s.length < n) {
    for (const b of crypto.randomBytes(n)) {
      // Drop the bytes past the last whole multiple of the alphabet so every letter is equally likely.
      if (b < 256 - (256 % alphabet.length)) s += alphabet[b % alphabet.length];
      if (s.length === n) break;
    }
  }
  return s;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

// RPC percent-encoding (RFC 3986 unreserved kept), the same rule as the vendor code.
function pctEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function xmlEscape(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }[c]));
}

function toXml(name, v) {
  if (v && typeof v === 'object') {
    return `<${name}>${Object.keys(v).map((k) => toXml(k, v[k])).join('')}</${name}>`;
  }
  return `<${name}>${xmlEscape(v)}</${name}>`;
}

/* ---------------------------------------------------------------- state */

const opts = parseArgs(process.argv.slice(2));
const stateDir = path.resolve(opts.state);
if (!opts.cert) {
  // No --cert/--key: use DIR/server.pem and DIR/server-key.pem, made (with DIR/ca.pem for the clients)
  // by tests/lib/mkca.sh when they are not there yet.
  opts.cert = path.join(stateDir, 'server.pem');
  opts.key = path.join(stateDir, 'server-key.pem');
  if (!fs.existsSync(opts.cert) || !fs.existsSync(opts.key)) {
    try {
      require('child_process').execFileSync('sh', [path.join(__dirname, '..', 'lib', 'mkca.sh'), stateDir],
        { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch (e) {
      usage('tests/lib/mkca.sh failed to make a certificate');
    }
  }
}
let tlsOptions;
try {
  tlsOptions = { cert: fs.readFileSync(opts.cert), key: fs.readFileSync(opts.key) };
} catch (e) {
  usage(`cannot read the certificate or key: ${e.message}`);
}
fs.mkdirSync(path.join(stateDir, 'issued'), { recursive: true, mode: 0o700 });

let clockOffsetMs = opts.offsetMs;
function nowMs() {
  return Date.now() + clockOffsetMs;
}

function freshStats() {
  return { AssumeRole: 0, AssumeRoleWithOIDC: 0, metadata: 0, metadata_token: 0, metadata_list: 0,
    credentials_uri: 0, errors: 0, injected: 0, issued: 0 };
}
let stats = freshStats();
let lastCall = {};                       // action -> non-secret summary of its last request
let failState = { mode: 'none', count: 0, action: null };
const nonces = new Map();                // akid \n nonce -> expiry (ms, emulator clock)
const ecsTokens = new Map();             // metadata token -> expiry
const cachedCreds = { metadata: null, credentials_uri: null };

function pruneExpired(map) {
  const t = nowMs();
  for (const [k, exp] of map) if (exp <= t) map.delete(k);
}

function takeFailure(action) {
  if (failState.mode === 'none' || failState.count === 0) return null;
  if (failState.action && failState.action !== action) return null;
  const mode = failState.mode;
  if (failState.count > 0 && --failState.count === 0) failState = { mode: 'none', count: 0, action: null };
  return mode;
}

// Apply an injected failure, if one is due: throws for the failing modes, waits for slow:MS, returns
// true for "partial" (the caller answers without AccessKeySecret), false otherwise.
async function inject(action, ctx) {
  const mode = takeFailure(action);
  if (!mode) return false;
  stats.injected++;
  ctx.injected = mode;
  if (mode.startsWith('slow:')) {
    await new Promise((r) => setTimeout(r, Number(mode.slice(5))));
    return false;
  }
  if (mode === 'partial') return true;
  if (mode === 'hang' || mode === 'close' || mode === 'garbage') throw new Special(mode);
  throw new StsError(FAIL_CODES[mode]);
}

/* ---------------------------------------------------------------- issuing credentials */

function roleId(arn) {
  const h = crypto.createHash('sha256').update(arn.toLowerCase()).digest();
  return '3' + (h.readBigUInt64BE(0) % 10n ** 17n).toString().padStart(17, '0');
}

// A token shaped like the real ones: base64 of a protobuf-ish blob starting 08 02 12 ("CAIS"),
// long, and with '+', '/' and '=' in it so that clients must encode it properly.
function makeSecurityToken(policy) {
  for (;;) {
    const n = 600 + (policy ? Buffer.byteLength(policy) : 0) + crypto.randomInt(0, 3);
    const blob = Buffer.concat([Buffer.from([0x08, 0x02, 0x12]), crypto.randomBytes(n)]);
    const t = blob.toString('base64');
    if (t.includes('+') && t.includes('/')) return t;
  }
}

function issue({ lifetime, policy, roleArn, sessionName, source }) {
  const t = nowMs();
  const expMs = Math.floor(t / 1000) * 1000 + lifetime * 1000;
  const entry = {
    AccessKeyId: 'STS.' + randomString(ALNUM, 25),
    AccessKeySecret: randomString(BASE58, 44),
    SecurityToken: makeSecurityToken(policy),
    Expiration: isoSeconds(expMs),
  };
  if (policy) entry.Policy = policy;
  if (roleArn) entry.RoleArn = roleArn;
  if (sessionName) entry.RoleSessionName = sessionName;
  entry.Source = source;
  entry.Issued = isoSeconds(t);
  ledger.writeIssued(stateDir, entry);
  stats.issued++;
  return { ...entry, expMs, issuedMs: t };
}

// Metadata and credentials-URI credentials are reused, like the real services do, until less than half
// of their lifetime is left.
function cachedCredentials(kind, defaultLifetime, roleArn) {
  const lifetime = opts.lifetime || defaultLifetime;
  const c = cachedCreds[kind];
  if (c && c.expMs - nowMs() > (lifetime * 1000) / 2) return c;
  cachedCreds[kind] = issue({ lifetime, roleArn, source: kind });
  return cachedCreds[kind];
}

/* ---------------------------------------------------------------- request parsing */

// Parse an application/x-www-form-urlencoded string into `into` (a Map); repeated names are refused.
function parseForm(str, into) {
  if (!str) return;
  for (const part of str.split('&')) {
    if (part === '') continue;
    const i = part.indexOf('=');
    let k;
    let v;
    try {
      k = decodeURIComponent((i < 0 ? part : part.slice(0, i)).replace(/\+/g, ' '));
      v = i < 0 ? '' : decodeURIComponent(part.slice(i + 1).replace(/\+/g, ' '));
    } catch (e) {
      throw new StsError('InvalidParameter', 'The request contains malformed percent-encoding.');
    }
    if (into.has(k)) throw new StsError('InvalidParameter', `The parameter ${k} is repeated.`);
    into.set(k, v);
  }
}

function isForm(req) {
  const ct = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  return ct === 'application/x-www-form-urlencoded';
}

/* ---------------------------------------------------------------- authentication */

function checkClock(tsMs) {
  if (Math.abs(nowMs() - tsMs) > CLOCK_WINDOW_MS) throw new StsError('InvalidTimeStamp.Expired');
}

// ACS3 canonical request computed here only when a client signs headers outside host, content-type
// and x-acs-* (the vendor helper leaves those out); the normal path uses the vendor helper.
function acs3SignatureOwn(method, rawPath, query, headers, signedList, payloadHash, secret) {
  const cq = Object.keys(query).sort().map((k) => `${pctEncode(k)}=${pctEncode(query[k])}`).join('&');
  const ch = signedList.map((h) => `${h}:${String(headers[h]).trim()}\n`).join('');
  const canonical = `${method}\n${rawPath}\n${cq}\n${ch}\n${signedList.join(';')}\n${payloadHash}`;
  const s2s = `ACS3-HMAC-SHA256\n${sha256hex(canonical)}`;
  return crypto.createHmac('sha256', secret).update(s2s).digest('hex');
}

// Verify the caller of a signed action. Returns {akid, key}; throws StsError.
function authenticate(req, call) {
  const { style, params, query, body, rawPath } = call;
  let akid;
  let nonce;
  let tsStr;
  let token;
  let verify;
  if (style === 'rpc') {
    for (const p of ['AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp']) {
      if (!params[p]) throw missing(p);
    }
    if (params.SignatureMethod !== 'HMAC-SHA1') {
      throw new StsError('IncompleteSignature', 'Specified signature method is not supported.');
    }
    if (params.SignatureVersion !== '1.0') {
      throw new StsError('IncompleteSignature', 'Specified signature version is not supported.');
    }
    akid = params.AccessKeyId;
    nonce = params.SignatureNonce;
    tsStr = params.Timestamp;
    token = params.SecurityToken;
    verify = (secret) => {
      const signed = { ...params };
      delete signed.Signature;
      const want = OpenApiUtil.getRPCSignature(signed, req.method, secret);
      return sameString(want, params.Signature);
    };
  } else if (style === 'acs3') {
    const m = /^ACS3-HMAC-SHA256\s+(.+)$/.exec(String(req.headers.authorization));
    if (!m) throw new StsError('IncompleteSignature', 'Specified signature algorithm is not supported.');
    const f = {};
    for (const part of m[1].split(',')) {
      const i = part.indexOf('=');
      if (i > 0) f[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
    if (!f.Credential || !f.SignedHeaders || !/^[0-9a-f]{64}$/.test(f.Signature || '')) {
      throw new StsError('IncompleteSignature', 'The Authorization header is malformed.');
    }
    const signedList = f.SignedHeaders.split(';');
    if (signedList.some((h) => h === '' || h !== h.toLowerCase())) {
      throw new StsError('IncompleteSignature', 'SignedHeaders must be lowercase header names.');
    }
    const need = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce',
      'x-acs-content-sha256'];
    for (const h of need) {
      if (req.headers[h] === undefined) throw new StsError('IncompleteSignature', `The header ${h} is missing.`);
    }
    for (const h of new Set([...need, ...Object.keys(req.headers).filter((x) => x.startsWith('x-acs-'))])) {
      if (!signedList.includes(h)) throw new StsError('IncompleteSignature', `The header ${h} is not signed.`);
    }
    for (const h of signedList) {
      if (req.headers[h] === undefined) throw new StsError('IncompleteSignature', `The signed header ${h} is missing.`);
    }
    akid = f.Credential;
    nonce = req.headers['x-acs-signature-nonce'];
    tsStr = req.headers['x-acs-date'];
    token = req.headers['x-acs-security-token'];
    const payloadHash = String(req.headers['x-acs-content-sha256']);
    verify = (secret) => {
      if (payloadHash !== sha256hex(body)) return false;
      const headers = {};
      for (const h of signedList) headers[h] = String(req.headers[h]);
      const sorted = [...signedList].sort();
      let sig;
      if (sorted.every((h) => h === 'host' || h === 'content-type' || h.startsWith('x-acs-'))) {
        const authz = OpenApiUtil.getAuthorization({ pathname: rawPath, method: req.method, query, headers },
          'ACS3-HMAC-SHA256', payloadHash, akid, secret);
        sig = /Signature=([0-9a-f]+)$/.exec(authz)[1];
      } else {
        sig = acs3SignatureOwn(req.method, rawPath, query, headers, sorted, payloadHash, secret);
      }
      return sameString(sig, f.Signature);
    };
  } else {
    throw params.AccessKeyId ? missing('Signature') : missing('AccessKeyId');
  }
  call.akid = akid;
  const tsMs = parseTimestamp(tsStr);
  if (Number.isNaN(tsMs)) throw new StsError('InvalidTimeStamp.Format');
  const key = ledger.lookupAccessKey(stateDir, akid, nowMs());
  if (!key) throw new StsError('InvalidAccessKeyId.NotFound');
  if (key.disabled) throw new StsError('InvalidAccessKeyId.Inactive');
  checkClock(tsMs);
  if (!verify(key.secret)) throw new StsError('SignatureDoesNotMatch');
  if (!key.longTerm) {
    if (!token) throw new StsError('MissingSecurityToken');
    const r = ledger.checkToken(stateDir, akid, token, nowMs());
    if (r === 'expired') throw new StsError('InvalidSecurityToken.Expired');
    if (r !== 'ok') throw new StsError('InvalidSecurityToken.MismatchWithAccessKey');
  }
  pruneExpired(nonces);
  const nk = `${akid}\n${nonce}`;
  if (nonces.has(nk)) throw new StsError('SignatureNonceUsed');
  nonces.set(nk, nowMs() + 2 * CLOCK_WINDOW_MS);
  if (key.root) throw new StsError('NoPermission', 'Roles may not be assumed by root accounts.');
  return { akid, key };
}

/* ---------------------------------------------------------------- parameters */

function policyGrammarOk(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return false;
  }
  const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const strs = (v) => (typeof v === 'string' && v !== '') ||
    (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s !== ''));
  if (!isObj(doc) || doc.Version !== '1' || !Array.isArray(doc.Statement) || doc.Statement.length === 0) {
    return false;
  }
  if (Object.keys(doc).some((k) => k !== 'Version' && k !== 'Statement')) return false;
  const allowed = new Set(['Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
  for (const s of doc.Statement) {
    if (!isObj(s) || Object.keys(s).some((k) => !allowed.has(k))) return false;
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return false;
    if ((s.Action === undefined) === (s.NotAction === undefined)) return false;
    if (!strs(s.Action === undefined ? s.NotAction : s.Action)) return false;
    if ((s.Resource === undefined) === (s.NotResource === undefined)) return false;
    if (!strs(s.Resource === undefined ? s.NotResource : s.Resource)) return false;
    if (s.Condition !== undefined && !isObj(s.Condition)) return false;
  }
  return true;
}

// The role named by arn: {Arn, MaxSessionDuration, ExternalId?} or null when it does not exist.
function findRole(arn) {
  const roles = readJsonFile(path.join(stateDir, 'roles.json'));
  if (roles === undefined) return { Arn: arn, MaxSessionDuration: opts.maxDuration };
  if (!Array.isArray(roles)) throw new Error('roles.json must be an array');
  const r = roles.find((x) => x && typeof x.Arn === 'string' && x.Arn.toLowerCase() === arn.toLowerCase());
  if (!r) return null;
  return { ...r, MaxSessionDuration: Number.isInteger(r.MaxSessionDuration) ? r.MaxSessionDuration : opts.maxDuration };
}

function durationText(s) {
  return s % 3600 === 0 ? `${s / 3600}hr` : `${s}s`;
}

// RoleArn, RoleSessionName, ExternalId, Policy, DurationSeconds, common to both AssumeRole actions.
function checkRoleParams(params, sessionRequired) {
  const arn = params.RoleArn;
  if (!arn) throw missing('RoleArn');
  const am = ROLE_ARN_RE.exec(arn);
  if (!am) throw new StsError('InvalidParameter.RoleArn');
  let session = params.RoleSessionName;
  if (session === undefined || session === '') {
    if (sessionRequired) throw missing('RoleSessionName');
    session = 'oidc-' + randomString(ALNUM, 12);
  } else if (!SESSION_RE.test(session)) {
    throw new StsError('InvalidParameter.RoleSessionName');
  }
  if (params.ExternalId !== undefined && !EXTERNAL_ID_RE.test(params.ExternalId)) {
    throw new StsError('InvalidParameter.ExternalId');
  }
  const policy = params.Policy;
  if (policy !== undefined && policy !== '') {
    if ([...policy].length > MAX_POLICY) throw new StsError('InvalidParameter.PolicySize');
    if (!policyGrammarOk(policy)) throw new StsError('InvalidParameter.PolicyGrammar');
  }
  const role = findRole(arn);
  if (!role) throw new StsError('EntityNotExist.Role', `The specified Role not exists: ${arn}.`);
  if (role.ExternalId !== undefined && role.ExternalId !== params.ExternalId) throw new StsError('NoPermission');
  let duration = 3600;
  if (params.DurationSeconds !== undefined) {
    const d = params.DurationSeconds;
    if (!/^\d{1,9}$/.test(d)) throw new StsError('InvalidParameter.DurationSeconds');
    duration = Number(d);
  }
  if (duration < MIN_DURATION || duration > role.MaxSessionDuration) {
    throw new StsError('InvalidParameter.DurationSeconds',
      `The Min/Max value of DurationSeconds is 15min/${durationText(role.MaxSessionDuration)}.`);
  }
  return { arn, uid: am[1], roleName: am[2], session, policy: policy || null, duration };
}

function credentialsObject(c, partial) {
  const o = { SecurityToken: c.SecurityToken, AccessKeyId: c.AccessKeyId, AccessKeySecret: c.AccessKeySecret,
    Expiration: c.Expiration };
  if (partial) delete o.AccessKeySecret;
  return o;
}

function assumedRoleUser(r) {
  return { AssumedRoleId: `${roleId(r.arn)}:${r.session}`, Arn: `acs:ram::${r.uid}:role/${r.roleName}/${r.session}` };
}

/* ---------------------------------------------------------------- STS actions */

async function assumeRole(req, call, ctx) {
  const { akid } = authenticate(req, call);
  const partial = await inject('AssumeRole', ctx);
  const r = checkRoleParams(call.params, true);
  lastCall.AssumeRole = { SignatureStyle: call.style.toUpperCase(), Method: req.method, AccessKeyId: akid,
    RoleArn: r.arn, RoleSessionName: r.session, DurationSeconds: r.duration, Policy: r.policy,
    ExternalId: call.params.ExternalId === undefined ? null : call.params.ExternalId,
    ParamsIn: call.paramsIn, Format: ctx.format };
  const c = issue({ lifetime: opts.lifetime || r.duration, policy: r.policy, roleArn: r.arn,
    sessionName: r.session, source: 'AssumeRole' });
  ctx.issued = c.AccessKeyId;
  return { root: 'AssumeRoleResponse', body: { RequestId: ctx.requestId, AssumedRoleUser: assumedRoleUser(r),
    Credentials: credentialsObject(c, partial) } };
}

function decodeJwtPart(s) {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(s)) return undefined;
  try {
    return JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch (e) {
    return undefined;
  }
}

async function assumeRoleWithOIDC(req, call, ctx) {
  const p = call.params;
  if (p.Timestamp !== undefined) {
    const t = parseTimestamp(p.Timestamp);
    if (Number.isNaN(t)) throw new StsError('InvalidTimeStamp.Format');
    checkClock(t);
  }
  if (!p.OIDCProviderArn) throw missing('OIDCProviderArn');
  if (!OIDC_PROVIDER_RE.test(p.OIDCProviderArn)) throw new StsError('InvalidParameter.OIDCProviderArn');
  const providers = readJsonFile(path.join(stateDir, 'oidc_providers.json'));
  if (providers !== undefined && !(Array.isArray(providers) && providers.includes(p.OIDCProviderArn))) {
    throw new StsError('AuthenticationFail.NoPermission');
  }
  const token = p.OIDCToken;
  if (!token) throw new StsError('AuthenticationFail.OIDCToken.Invalid', 'The OIDCToken can not empty.');
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new StsError('AuthenticationFail.OIDCToken.Invalid',
      "The number of Jwt field should be divided into 3 parts with '.' .");
  }
  const header = decodeJwtPart(parts[0]);
  const claims = decodeJwtPart(parts[1]);
  if (!/^[A-Za-z0-9_-]+$/.test(parts[2])) throw new StsError('AuthenticationFail.OIDCToken.Invalid');
  if (!header || !claims || typeof claims !== 'object') {
    throw new StsError('AuthenticationFail.OIDCToken.Invalid', 'Cannot decode base64 encoded response(format invalided).');
  }
  let expected = null;
  try {
    expected = fs.readFileSync(path.join(stateDir, 'oidc_token'), 'utf8').replace(/\s+$/, '');
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
  if (expected === null || !sameString(expected, token)) throw new StsError('AuthenticationFail.OIDCToken.InvalidSignature');
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs()) {
    throw new StsError('AuthenticationFail.OIDCToken.Expired');
  }
  const partial = await inject('AssumeRoleWithOIDC', ctx);
  const r = checkRoleParams(p, false);
  lastCall.AssumeRoleWithOIDC = { Method: req.method, OIDCProviderArn: p.OIDCProviderArn, RoleArn: r.arn,
    RoleSessionName: r.session, DurationSeconds: r.duration, Policy: r.policy, ParamsIn: call.paramsIn,
    Format: ctx.format };
  const c = issue({ lifetime: opts.lifetime || r.duration, policy: r.policy, roleArn: r.arn,
    sessionName: r.session, source: 'AssumeRoleWithOIDC' });
  ctx.issued = c.AccessKeyId;
  const aud = Array.isArray(claims.aud) ? claims.aud.join(',') : String(claims.aud || '');
  return { root: 'AssumeRoleWithOIDCResponse', body: { RequestId: ctx.requestId,
    OIDCTokenInfo: { Subject: String(claims.sub || ''), Issuer: String(claims.iss || ''), ClientIds: aud },
    AssumedRoleUser: assumedRoleUser(r), Credentials: credentialsObject(c, partial) } };
}

// The STS API on "/" (HTTPS port).
async function handleSts(req, res, ctx, rawPath, rawQuery, body) {
  if (rawPath !== '/' || (req.method !== 'GET' && req.method !== 'POST')) throw new StsError('InvalidAction.NotFound');
  const queryMap = new Map();
  parseForm(rawQuery, queryMap);
  const all = new Map(queryMap);
  let paramsIn = queryMap.size ? 'query' : 'none';
  if (req.method === 'POST' && isForm(req) && body.length) {
    const bodyMap = new Map();
    parseForm(body.toString('utf8'), bodyMap);
    for (const [k, v] of bodyMap) {
      if (all.has(k)) throw new StsError('InvalidParameter', `The parameter ${k} is repeated.`);
      all.set(k, v);
    }
    if (bodyMap.size) paramsIn = queryMap.size ? 'query+body' : 'body';
  }
  const params = Object.fromEntries(all);
  const query = Object.fromEntries(queryMap);
  const authz = String(req.headers.authorization || '');
  const style = authz.startsWith('ACS3-') ? 'acs3' : (params.Signature !== undefined ? 'rpc' : 'anonymous');
  ctx.sig = style;
  if (style !== 'acs3') {
    const f = params.Format;
    if (f !== undefined && !/^(json|xml)$/i.test(f)) throw new StsError('InvalidParameter.Format');
    ctx.format = f !== undefined && f.toUpperCase() === 'JSON' ? 'JSON' : 'XML';
  }
  const action = style === 'acs3' ? req.headers['x-acs-action'] : (params.Action || req.headers['x-acs-action']);
  const version = style === 'acs3' ? req.headers['x-acs-version'] : (params.Version || req.headers['x-acs-version']);
  if (!action) throw missing('Action');
  if (action !== 'AssumeRole' && action !== 'AssumeRoleWithOIDC') throw new StsError('InvalidAction.NotFound');
  ctx.action = action;
  stats[action]++;
  if (!version) throw missing('Version');
  if (version !== API_VERSION) throw new StsError('InvalidVersion');
  const call = { style, params, query, body, rawPath, paramsIn };
  try {
    return action === 'AssumeRole' ? await assumeRole(req, call, ctx) : await assumeRoleWithOIDC(req, call, ctx);
  } finally {
    if (call.akid) ctx.akid = call.akid;
  }
}

/* ---------------------------------------------------------------- ECS metadata, credentials URI */

function sendText(res, ctx, status, text) {
  ctx.status = status;
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const META_CREDS = '/latest/meta-data/ram/security-credentials/';

async function handleMetadata(req, res, ctx, rawPath) {
  if (rawPath === '/latest/api/token') {
    ctx.action = 'metadata_token';
    if (req.method !== 'PUT') return sendText(res, ctx, 405, 'Method Not Allowed');
    stats.metadata_token++;
    // The real service refuses token requests that went through a proxy.
    if (req.headers['x-forwarded-for'] !== undefined) return sendText(res, ctx, 403, 'Forbidden');
    const ttl = req.headers['x-aliyun-ecs-metadata-token-ttl-seconds'];
    if (!/^\d{1,6}$/.test(ttl || '') || +ttl < 1 || +ttl > ECS_TOKEN_TTL_MAX) {
      return sendText(res, ctx, 400, 'Bad Request');
    }
    pruneExpired(ecsTokens);
    const token = crypto.randomBytes(42).toString('base64url');
    ecsTokens.set(token, nowMs() + Number(ttl) * 1000);
    return sendText(res, ctx, 200, token);
  }
  if (!(rawPath + '/').startsWith(META_CREDS)) return sendText(res, ctx, 404, 'Not Found');
  const name = rawPath.length > META_CREDS.length ? rawPath.slice(META_CREDS.length) : '';
  ctx.action = name ? 'metadata' : 'metadata_list';
  if (req.method !== 'GET') return sendText(res, ctx, 405, 'Method Not Allowed');
  stats[ctx.action]++;
  const tok = req.headers['x-aliyun-ecs-metadata-token'];
  const exp = tok ? ecsTokens.get(String(tok)) : undefined;
  if (exp === undefined || exp <= nowMs()) return sendText(res, ctx, 403, 'Forbidden');
  if (!name) return sendText(res, ctx, 200, opts.ecsRole);
  if (name !== opts.ecsRole) return sendText(res, ctx, 404, 'Not Found');
  const partial = await inject('metadata', ctx);
  const c = cachedCredentials('metadata', ECS_DEFAULT_LIFETIME, `acs:ram::${ACCOUNT_UID}:role/${opts.ecsRole}`);
  ctx.issued = c.AccessKeyId;
  const o = { AccessKeyId: c.AccessKeyId, AccessKeySecret: c.AccessKeySecret, Expiration: c.Expiration,
    SecurityToken: c.SecurityToken, LastUpdated: isoSeconds(c.issuedMs), Code: 'Success' };
  if (partial) delete o.AccessKeySecret;
  return { body: o, format: 'JSON' };
}

async function handleCredentialsUri(req, res, ctx) {
  ctx.action = 'credentials_uri';
  if (req.method !== 'GET') return sendText(res, ctx, 405, 'Method Not Allowed');
  stats.credentials_uri++;
  const partial = await inject('credentials_uri', ctx);
  const c = cachedCredentials('credentials_uri', URI_DEFAULT_LIFETIME, null);
  ctx.issued = c.AccessKeyId;
  const o = { Code: 'Success', AccessKeyId: c.AccessKeyId, AccessKeySecret: c.AccessKeySecret,
    SecurityToken: c.SecurityToken, Expiration: c.Expiration };
  if (partial) delete o.AccessKeySecret;
  return { body: o, format: 'JSON' };
}

/* ---------------------------------------------------------------- admin */

function resetAll() {
  stats = freshStats();
  lastCall = {};
  failState = { mode: 'none', count: 0, action: null };
  nonces.clear();
  ecsTokens.clear();
  cachedCreds.metadata = null;
  cachedCreds.credentials_uri = null;
  clockOffsetMs = opts.offsetMs;
}

function handleAdmin(req, res, ctx, rawPath, body) {
  ctx.action = 'admin';
  const send = (status, o) => {
    const text = JSON.stringify(o);
    ctx.status = status;
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  let input = {};
  if (req.method === 'POST' && body.length) {
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch (e) {
      return send(400, { error: 'body is not JSON' });
    }
    if (!input || typeof input !== 'object') return send(400, { error: 'body must be a JSON object' });
  }
  const clock = () => ({ now: new Date(nowMs()).toISOString(), offset: Math.round(clockOffsetMs / 1000) });
  if (rawPath === '/_emu/stats' && req.method === 'GET') {
    return send(200, { ...stats, last: lastCall, fail: failState, clock: clock() });
  }
  if (rawPath === '/_emu/reset' && req.method === 'POST') {
    resetAll();
    return send(200, { ok: true });
  }
  if (rawPath === '/_emu/fail' && req.method === 'POST') {
    const mode = input.mode;
    if (typeof mode !== 'string' || !FAIL_MODE_RE.test(mode)) return send(400, { error: 'bad mode' });
    const count = input.count === undefined ? 1 : input.count;
    if (!Number.isInteger(count) || count < -1) return send(400, { error: 'bad count' });
    if (input.action !== undefined && !FAIL_ACTIONS.includes(input.action)) return send(400, { error: 'bad action' });
    failState = mode === 'none' || count === 0 ? { mode: 'none', count: 0, action: null }
      : { mode, count, action: input.action || null };
    return send(200, { ok: true, fail: failState });
  }
  if (rawPath === '/_emu/clock' && (req.method === 'GET' || req.method === 'POST')) {
    if (req.method === 'POST') {
      if (typeof input.now === 'string') {
        const t = parseTimestamp(input.now);
        if (Number.isNaN(t)) return send(400, { error: 'bad now' });
        clockOffsetMs = t - Date.now();
      } else if (Number.isInteger(input.offset)) {
        clockOffsetMs = input.offset * 1000;
      } else if (Number.isInteger(input.advance)) {
        clockOffsetMs += input.advance * 1000;
      } else {
        return send(400, { error: 'give now, offset or advance' });
      }
    }
    return send(200, clock());
  }
  return send(404, { error: 'no such admin endpoint' });
}

/* ---------------------------------------------------------------- dispatch */

function stsErrorBody(ctx, err) {
  return { RequestId: ctx.requestId, HostId: HOST_ID, Code: err.code, Message: err.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=Sts&requestId=${ctx.requestId}` };
}

function sendBody(res, ctx, status, root, obj) {
  let text;
  let type;
  if (ctx.format === 'XML') {
    text = `<?xml version='1.0' encoding='UTF-8'?>${toXml(root, obj)}`;
    type = 'text/xml;charset=utf-8';
  } else {
    text = JSON.stringify(obj);
    type = 'application/json;charset=utf-8';
  }
  ctx.status = status;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text),
    'x-acs-request-id': ctx.requestId });
  res.end(text);
}

function logCall(ctx) {
  if (ctx.logged) return;
  ctx.logged = true;
  const bits = [`sts-emu: ${isoSeconds(nowMs())}`, ctx.listener, ctx.method, ctx.path, ctx.action || '-'];
  if (ctx.sig) bits.push(`sig=${ctx.sig}`);
  if (ctx.akid) bits.push(`akid=${ctx.akid}`);
  bits.push(`status=${ctx.status || '-'}`);
  if (ctx.code) bits.push(`code=${ctx.code}`);
  if (ctx.injected) bits.push(`injected=${ctx.injected}`);
  if (ctx.issued && ctx.status === 200) bits.push(`issued=${ctx.issued}`);
  bits.push(`req=${ctx.requestId}`, `${Date.now() - ctx.start}ms`);
  process.stderr.write(bits.join(' ') + '\n');
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new StsError('RequestEntityTooLarge'));
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

let closing = false;

async function dispatch(listener, req, res) {
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  // The path is logged without its query: an RPC GET carries its Signature and SecurityToken there.
  const ctx = { listener, method: req.method, path: rawPath.slice(0, 120), requestId: crypto.randomUUID().toUpperCase(),
    start: Date.now(), format: 'JSON' };
  res.on('finish', () => logCall(ctx));
  res.on('close', () => logCall(ctx));
  const isUri = rawPath === '/credentials' || rawPath.startsWith('/credentials/');
  const isSts = listener === 'https' && !rawPath.startsWith('/_emu/') && !isUri;
  try {
    const body = await readBody(req);
    let out;
    if (rawPath.startsWith('/_emu/')) {
      return handleAdmin(req, res, ctx, rawPath, body);
    } else if (isUri) {
      out = await handleCredentialsUri(req, res, ctx);
    } else if (listener === 'http') {
      if (!rawPath.startsWith('/latest/')) return sendText(res, ctx, 404, 'Not Found');
      out = await handleMetadata(req, res, ctx, rawPath);
    } else {
      out = await handleSts(req, res, ctx, rawPath, rawQuery, body);
    }
    if (out) sendBody(res, ctx, 200, out.root || 'Response', out.body);
  } catch (err) {
    if (err instanceof Special) {
      stats.errors++;
      ctx.status = err.kind;
      if (err.kind === 'garbage') {
        const text = '<html><body>502 Bad Gateway: upstream sent something</body></html>\n{"RequestId":';
        ctx.status = 200;
        res.writeHead(200, { 'Content-Type': isSts && ctx.format === 'XML' ? 'text/xml' : 'application/json',
          'Content-Length': Buffer.byteLength(text), 'x-acs-request-id': ctx.requestId });
        res.end(text);
        return;
      }
      logCall(ctx);
      // close: drop the connection now; hang: never answer (the socket stays until the client gives up
      // or the emulator shuts down)
      if (err.kind === 'close') req.socket.destroy();
      return;
    }
    let e = err;
    if (!(e instanceof StsError)) {
      // one line, message only (a stack is noise here; messages never carry file contents)
      const msg = String(e && e.message ? e.message : e).replace(/\s+/g, ' ');
      process.stderr.write(`sts-emu: ${isoSeconds(nowMs())} internal error: ${msg}\n`);
      e = new StsError('InternalError');
    }
    stats.errors++;
    ctx.code = e.code;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendBody(res, ctx, e.status, 'Error', stsErrorBody(ctx, e));
    if (e.code === 'RequestEntityTooLarge') req.socket.destroySoon();
  }
}

/* ---------------------------------------------------------------- main */

const sockets = new Set();
function track(server) {
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (err, s) => s.destroy());
  server.on('tlsClientError', () => {});
}

const httpsServer = https.createServer(tlsOptions, (req, res) => dispatch('https', req, res));
const httpServer = http.createServer((req, res) => dispatch('http', req, res));
track(httpsServer);
track(httpServer);

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });
}

function shutdown() {
  if (closing) return;
  closing = true;
  let open = 2;
  const done = () => {
    if (--open === 0) process.exit(0);
  };
  httpsServer.close(done);
  httpServer.close(done);
  for (const s of sockets) s.destroy();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (opts.lifeline) {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

Promise.all([listen(httpsServer, opts.port), listen(httpServer, opts.httpPort)]).then(([a, b]) => {
  process.stdout.write(`listening ${a} ${b}\n`);
}, (e) => {
  process.stderr.write(`sts-emu: cannot listen: ${e.message}\n`);
  process.exit(1);
});
