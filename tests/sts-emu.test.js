'use strict';
// tests/sts-emu.test.js: tests for the STS emulator (tests/emu/sts.js), its ledger (tests/emu/ledger.js)
// and the test CA maker (tests/lib/mkca.sh). Requests are signed with the vendors' own npm code
// (@alicloud/openapi-util, @alicloud/pop-core, ali-oss) and replayed from tests/data/sts-signature.json.
// Run from the top of the tree: node --test --test-reporter=tap tests/sts-emu.test.js
// Skips (TAP "1..0 # SKIP", exit 0) when node_modules is absent.

const path = require('path');
const fs = require('fs');

const ROOT = path.resolve(__dirname, '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const NEEDED = ['@alicloud/openapi-util', '@alicloud/pop-core', 'ali-oss', 'urllib'];
if (!NEEDED.every((m) => fs.existsSync(path.join(NODE_MODULES, m, 'package.json')))) {
  if (process.env.NODE_TEST_CONTEXT) {
    // under `node --test` the runner writes the TAP: report one skipped test
    require('node:test').test('STS emulator tests', { skip: 'node_modules missing' }, () => {});
  } else {
    process.stdout.write('1..0 # SKIP node_modules missing\n');
  }
  return; // (CommonJS: leaves this module, exit status 0)
}

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('child_process');
const http = require('http');
const https = require('https');
const crypto = require('crypto');
const os = require('os');

const OpenApiUtil = require(path.join(NODE_MODULES, '@alicloud/openapi-util')).default;
const RPCClient = require(path.join(NODE_MODULES, '@alicloud/pop-core')).RPCClient;
const AliOssSts = require(path.join(NODE_MODULES, 'ali-oss')).STS;
const urllib = require(path.join(NODE_MODULES, 'urllib'));
const ledger = require('./emu/ledger');

const EMU = path.join(ROOT, 'tests', 'emu', 'sts.js');
const MKCA = path.join(ROOT, 'tests', 'lib', 'mkca.sh');
const VEC = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'data', 'sts-signature.json'), 'utf8'));

const AK = { id: 'LTAI5tEmuTestKey0000001', secret: 'EmuTestSecret0123456789abcdefghijklmnop' };
const VAK = { id: VEC.rpc_v1.access_key_id, secret: VEC.rpc_v1.access_key_secret };
const DISABLED = { id: 'LTAI5tEmuDisabledKey01', secret: 'DisabledSecret0123456789abcdefghijklm' };
const ROOTKEY = { id: 'LTAI5tEmuRootKey000001', secret: 'RootSecret0123456789abcdefghijklmnopqr' };
const ROLE = 'acs:ram::1234567890123456:role/oss-web-upload';
const ROLE2 = 'acs:ram::1234567890123456:role/needs-external-id';
const OIDC_PROVIDER = 'acs:ram::1234567890123456:oidc-provider/ack-rrsa-test';
const POLICY = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:PutObject'],
  Resource: ['acs:oss:*:*:bucket/user/*'] }] });
const UUID_RE = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const EXP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sts-emu-test-'));
const caDir = path.join(tmp, 'ca');
const otherCaDir = path.join(tmp, 'other-ca');
let CA;
let main;       // emulator on the real clock
let fixed;      // emulator started at the vectors' time, --lifetime 5
const secretsSeen = [AK.secret, VAK.secret];   // none of these may appear in the logs

/* ------------------------------------------------------------------ helpers */

const enc = (s) => OpenApiUtil.getEncodeParam(String(s));
const formEncode = (p) => Object.keys(p).map((k) => `${enc(k)}=${enc(p[k])}`).join('&');
const sha256hex = (s) => crypto.createHash('sha256').update(s).digest('hex');
const isoSec = (ms) => new Date(ms).toISOString().slice(0, 19) + 'Z';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function b64url(o) {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

function makeJwt(claims) {
  return `${b64url({ alg: 'RS256', kid: 'test-key' })}.${b64url(claims)}.${crypto.randomBytes(64).toString('base64url')}`;
}

// Start an emulator; certs=false lets it make its own certificate in stateDir.
function startEmu(stateDir, extra = [], { certs = true } = {}) {
  return new Promise((resolve, reject) => {
    const tlsArgs = certs ? ['--cert', path.join(caDir, 'server.pem'), '--key', path.join(caDir, 'server-key.pem')] : [];
    const proc = spawn(process.execPath, [EMU, '--state', stateDir, '--port', '0', '--http-port', '0', ...tlsArgs,
      '--stdin-lifeline', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const emu = { proc, stateDir, stderr: () => err, exited: null };
    emu.exit = new Promise((r) => proc.on('exit', (code, sig) => { emu.exited = { code, sig }; r(emu.exited); }));
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${err}`)), 10000);
    proc.stderr.on('data', (d) => { err += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /^listening (\d+) (\d+)\n$/.exec(out);
      if (m) {
        clearTimeout(timer);
        emu.https = Number(m[1]);
        emu.http = Number(m[2]);
        emu.stdout = out;
        resolve(emu);
      }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`emulator exited ${code}: ${err}`)); });
  });
}

async function stopEmu(emu) {
  if (!emu || emu.exited) return emu && emu.exited;
  emu.proc.kill('SIGTERM');
  const t = setTimeout(() => emu.proc.kill('SIGKILL'), 5000);
  const r = await emu.exit;
  clearTimeout(t);
  return r;
}

// One HTTP(S) exchange; resolves {status, headers, text, json} or rejects on a transport error.
function call(port, { tls = true, method = 'GET', path: p = '/', headers = {}, body, timeout = 5000, ca } = {}) {
  return new Promise((resolve, reject) => {
    const o = { host: '127.0.0.1', port, method, path: p, headers: { ...headers }, agent: false };
    if (tls) {
      o.ca = ca || CA;
      o.servername = 'localhost';
    }
    if (body !== undefined) o.headers['content-length'] = Buffer.byteLength(body);
    const req = (tls ? https : http).request(o, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch (e) { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeout, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const admin = (emu, p, body) => call(emu.https, { method: body === undefined ? 'GET' : 'POST', path: `/_emu/${p}`,
  body: body === undefined ? undefined : JSON.stringify(body) });
const setFail = async (emu, f) => {
  const r = await admin(emu, 'fail', f);
  assert.equal(r.status, 200, r.text);
};
async function emuNow(emu) {
  const r = await admin(emu, 'clock');
  return Date.parse(r.json.now);
}

// RPC (HMAC-SHA1) request, signed with the vendor helper. o: {ak, method, ts, nonce, format, drop}
function rpcParams(extra, o = {}) {
  const ak = o.ak || AK;
  const p = { AccessKeyId: ak.id, Action: 'AssumeRole', Format: o.format === undefined ? 'JSON' : o.format,
    SignatureMethod: 'HMAC-SHA1', SignatureNonce: o.nonce || crypto.randomUUID(), SignatureVersion: '1.0',
    Timestamp: isoSec(o.ts || Date.now()), Version: '2015-04-01', RoleArn: ROLE, RoleSessionName: 'web-upload-1',
    ...extra };
  for (const k of Object.keys(p)) if (p[k] === undefined || p[k] === null) delete p[k];
  p.Signature = OpenApiUtil.getRPCSignature(p, o.method || 'POST', ak.secret);
  return p;
}

function rpc(emu, extra = {}, o = {}) {
  const method = o.method || 'POST';
  const p = rpcParams(extra, { ...o, method });
  if (method === 'POST') {
    return call(emu.https, { method, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formEncode(p) });
  }
  return call(emu.https, { method, path: `/?${formEncode(p)}` });
}

// ACS3-HMAC-SHA256 request, signed with the vendor helper (getAuthorization).
// o: {ak, query, bodyParams, date, nonce, action, version, headers (signed), unsigned (added after signing),
//     body (sent instead of the signed one), token}
function acs3(emu, o = {}) {
  const ak = o.ak || AK;
  const query = o.query || { RoleArn: ROLE, RoleSessionName: 'web-upload-1', DurationSeconds: '3600' };
  const body = o.bodyParams ? formEncode(o.bodyParams) : '';
  const headers = { host: `127.0.0.1:${emu.https}`, 'x-acs-action': o.action || 'AssumeRole',
    'x-acs-version': o.version || '2015-04-01', 'x-acs-date': isoSec(o.date || Date.now()),
    'x-acs-signature-nonce': o.nonce || crypto.randomBytes(16).toString('hex'),
    'x-acs-content-sha256': sha256hex(body), ...(o.headers || {}) };
  if (o.bodyParams) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (o.token) headers['x-acs-security-token'] = o.token;
  headers.authorization = OpenApiUtil.getAuthorization({ pathname: '/', method: 'POST', query, headers },
    'ACS3-HMAC-SHA256', headers['x-acs-content-sha256'], ak.id, ak.secret);
  const qs = formEncode(query);
  return call(emu.https, { method: 'POST', path: qs ? `/?${qs}` : '/', headers: { ...headers, ...(o.unsigned || {}) },
    body: o.body !== undefined ? o.body : body });
}

// The same signature computed from the SPEC's description, independently of the vendor helper, for
// signed header sets the helper cannot express (headers other than host, content-type, x-acs-*).
function acs3SignOwn({ method, query, headers, signed, secret }) {
  const cq = Object.keys(query).sort().map((k) => `${enc(k)}=${enc(query[k])}`).join('&');
  const ch = signed.map((h) => `${h}:${headers[h].trim()}\n`).join('');
  const canonical = `${method}\n/\n${cq}\n${ch}\n${signed.join(';')}\n${headers['x-acs-content-sha256']}`;
  const s2s = `ACS3-HMAC-SHA256\n${sha256hex(canonical)}`;
  return crypto.createHmac('sha256', secret).update(s2s).digest('hex');
}

// OIDC call shaped like the vendor credential SDKs' (common parameters in the query, the rest in a form
// body); a null value leaves its parameter out.
function oidc(emu, { token, provider = OIDC_PROVIDER, role = ROLE, session = 'pod-1', duration, policy, ts } = {}) {
  const q = { Action: 'AssumeRoleWithOIDC', Format: 'JSON', Version: '2015-04-01',
    Timestamp: isoSec(ts || Date.now()) };
  const b = { OIDCProviderArn: provider, OIDCToken: token, RoleArn: role, RoleSessionName: session };
  if (duration !== undefined) b.DurationSeconds = duration;
  if (policy !== undefined) b.Policy = policy;
  for (const k of Object.keys(b)) if (b[k] === undefined || b[k] === null) delete b[k];
  return call(emu.https, { method: 'POST', path: `/?${formEncode(q)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formEncode(b) });
}

// An STS error answer: status, exact field set, code, request id.
function assertStsError(r, status, code) {
  assert.equal(r.status, status, `status for ${code}: ${r.text}`);
  assert.ok(r.json, `JSON error body expected: ${r.text}`);
  assert.deepEqual(Object.keys(r.json).sort(), ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
  assert.equal(r.json.Code, code, r.text);
  assert.match(r.json.RequestId, UUID_RE);
  assert.equal(r.headers['x-acs-request-id'], r.json.RequestId);
  assert.ok(r.json.Message.length > 0);
  assert.match(r.json.Recommend, new RegExp(`q=${code.replace(/\./g, '\\.')}`));
}

// Issued credentials: their shape, their lifetime and their ledger entry (returned).
function assertCreds(emu, c, { lifetime = 3600, now = Date.now(), policy = null } = {}) {
  assert.deepEqual(Object.keys(c).sort(), ['AccessKeyId', 'AccessKeySecret', 'Expiration', 'SecurityToken']);
  assert.match(c.AccessKeyId, /^STS\.[A-Za-z0-9]{25}$/);
  assert.match(c.AccessKeySecret, /^[A-Za-z0-9]{44}$/);
  assert.match(c.SecurityToken, /^CAIS[A-Za-z0-9+/]{600,}={0,2}$/);
  assert.match(c.Expiration, EXP_RE);
  const exp = Date.parse(c.Expiration);
  assert.ok(Math.abs(exp - (now + lifetime * 1000)) <= 5000, `Expiration ${c.Expiration} vs lifetime ${lifetime}`);
  const e = JSON.parse(fs.readFileSync(path.join(emu.stateDir, 'issued', `${c.AccessKeyId}.json`), 'utf8'));
  assert.equal(e.AccessKeyId, c.AccessKeyId);
  assert.equal(e.AccessKeySecret, c.AccessKeySecret);
  assert.equal(e.SecurityToken, c.SecurityToken);
  assert.equal(e.Expiration, c.Expiration);
  assert.equal(e.Policy, policy === null ? undefined : policy);
  secretsSeen.push(c.AccessKeySecret, c.SecurityToken);
  return c;
}

// A successful STS answer; returns the credentials after checking them against the ledger.
function assertAssumed(emu, r, { session = 'web-upload-1', ...o } = {}) {
  assert.equal(r.status, 200, r.text);
  const j = r.json;
  assert.ok(j, r.text);
  assert.deepEqual(Object.keys(j).filter((k) => k !== 'OIDCTokenInfo').sort(),
    ['AssumedRoleUser', 'Credentials', 'RequestId']);
  assert.match(j.RequestId, UUID_RE);
  assert.equal(j.AssumedRoleUser.Arn.split('/').pop(), session);
  assert.match(j.AssumedRoleUser.AssumedRoleId, new RegExp(`^\\d{18}:${session}$`));
  return assertCreds(emu, j.Credentials, o);
}

/* ------------------------------------------------------------------ setup */

function writeState(dir, accounts) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'accounts.json'), JSON.stringify(accounts.map((a) => ({
    AccessKeyId: a.id, AccessKeySecret: a.secret, ...(a.extra || {}) }))));
}

before(async () => {
  execFileSync('sh', [MKCA, caDir]);
  CA = fs.readFileSync(path.join(caDir, 'ca.pem'));
  writeState(path.join(tmp, 'main'), [AK, VAK, { ...DISABLED, extra: { Disabled: true } },
    { ...ROOTKEY, extra: { Root: true } }]);
  writeState(path.join(tmp, 'fixed'), [VAK]);
  main = await startEmu(path.join(tmp, 'main'));
  fixed = await startEmu(path.join(tmp, 'fixed'), ['--now', VEC.rpc_v1.params.Timestamp, '--lifetime', '5',
    '--max-duration', '43200', '--ecs-role', 'other-role']);
});

after(async () => {
  await stopEmu(main);
  await stopEmu(fixed);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/* ------------------------------------------------------------------ mkca.sh */

test('mkca.sh makes a CA and a 127.0.0.1/localhost server certificate', () => {
  for (const f of ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem']) {
    assert.ok(fs.statSync(path.join(caDir, f)).size > 100, f);
  }
  assert.equal(fs.statSync(path.join(caDir, 'server-key.pem')).mode & 0o077, 0, 'server key is private');
  const verify = execFileSync('openssl', ['verify', '-CAfile', path.join(caDir, 'ca.pem'),
    path.join(caDir, 'server.pem')]).toString();
  assert.match(verify, /: OK/);
  const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', path.join(caDir, 'server.pem')]).toString();
  assert.match(text, /IP Address:127\.0\.0\.1/);
  assert.match(text, /DNS:localhost/);
  assert.match(text, /TLS Web Server Authentication/);
  assert.match(execFileSync('openssl', ['x509', '-noout', '-text', '-in', path.join(caDir, 'ca.pem')]).toString(),
    /CA:TRUE/);
  assert.throws(() => execFileSync('sh', [MKCA], { stdio: 'pipe' }), 'usage error without DIR');
});

test('a client trusting another CA refuses the emulator certificate', async () => {
  execFileSync('sh', [MKCA, otherCaDir]);
  const other = fs.readFileSync(path.join(otherCaDir, 'ca.pem'));
  assert.notEqual(other.toString(), CA.toString());
  await assert.rejects(call(main.https, { path: '/_emu/stats', ca: other }),
    (e) => /certificate|verify|self.signed/i.test(`${e.code} ${e.message}`));
  const ok = await call(main.https, { path: '/_emu/stats' });
  assert.equal(ok.status, 200);
});

/* ------------------------------------------------------------------ startup and admin */

test('without --cert/--key the emulator makes DIR/ca.pem and a server certificate with mkca.sh', async () => {
  const dir = path.join(tmp, 'selfcert');
  const emu = await startEmu(dir, [], { certs: false });
  try {
    for (const f of ['ca.pem', 'server.pem', 'server-key.pem']) assert.ok(fs.existsSync(path.join(dir, f)), f);
    const own = fs.readFileSync(path.join(dir, 'ca.pem'));
    const r = await call(emu.https, { path: '/credentials', ca: own });
    assert.equal(r.status, 200);
    assert.equal(r.json.Code, 'Success');
    secretsSeen.push(r.json.AccessKeySecret, r.json.SecurityToken);
    await assert.rejects(call(emu.https, { path: '/credentials' }), /certificate|verify|self.signed/i);
  } finally {
    assert.deepEqual(await stopEmu(emu), { code: 0, sig: null });
  }
});

test('startup prints one "listening HTTPS HTTP" line and the stats start at zero', async () => {
  assert.match(main.stdout, /^listening \d+ \d+\n$/);
  assert.notEqual(main.https, main.http);
  const r = await admin(main, 'stats');
  assert.equal(r.status, 200);
  for (const k of ['AssumeRole', 'AssumeRoleWithOIDC', 'metadata', 'credentials_uri', 'errors']) {
    assert.equal(r.json[k], 0, k);
  }
  const viaHttp = await call(main.http, { tls: false, path: '/_emu/stats' });
  assert.equal(viaHttp.status, 200);
  assert.equal(viaHttp.json.errors, 0);
  assert.equal((await admin(main, 'nope')).status, 404);
  assert.equal((await admin(main, 'fail', { mode: 'explode' })).status, 400);
  assert.equal((await admin(main, 'fail', { mode: 'http500', count: -2 })).status, 400);
  assert.equal((await admin(main, 'fail', { mode: 'http500', action: 'Other' })).status, 400);
});

/* ------------------------------------------------------------------ vectors */

test('the RPC and ACS3 vectors are accepted at their own time (--now)', async () => {
  const v = VEC.rpc_v1;
  const sent = Date.now();
  const post = await call(fixed.https, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `${v.canonical_query}&Signature=${enc(v.signature_post)}` });
  // --lifetime 5 overrides DurationSeconds=3600
  const c = assertAssumed(fixed, post, { lifetime: 5, now: Date.parse(v.params.Timestamp) + (Date.now() - sent) });
  assert.equal(post.json.AssumedRoleUser.Arn, 'acs:ram::1234567890123456:role/oss-web-upload/web-upload-1');
  assert.ok(Date.parse(c.Expiration) - Date.parse(v.params.Timestamp) <= 15000);

  // the GET vector carries the same nonce: refused until the nonces are forgotten
  const get1 = await call(fixed.https, { path: `/?${v.canonical_query}&Signature=${enc(v.signature_get)}` });
  assertStsError(get1, 400, 'SignatureNonceUsed');
  assert.equal((await admin(fixed, 'reset', {})).status, 200);
  const get2 = await call(fixed.https, { path: `/?${v.canonical_query}&Signature=${enc(v.signature_get)}` });
  assertAssumed(fixed, get2, { lifetime: 5, now: await emuNow(fixed) });

  const a = VEC.acs3_v3;
  const cq = a.canonical_request.split('\n')[2];
  const acs = await call(fixed.https, { method: 'POST', path: `/?${cq}`,
    headers: { host: a.host, ...a.headers, authorization: a.authorization }, body: '' });
  assertAssumed(fixed, acs, { lifetime: 5, now: await emuNow(fixed) });
  const again = await call(fixed.https, { method: 'POST', path: `/?${cq}`,
    headers: { host: a.host, ...a.headers, authorization: a.authorization }, body: '' });
  assertStsError(again, 400, 'SignatureNonceUsed');
  const stats = (await admin(fixed, 'stats')).json;
  assert.equal(stats.last.AssumeRole.SignatureStyle, 'ACS3');
});

test('the vectors are refused on the real clock (more than 15 minutes off)', async () => {
  const v = VEC.rpc_v1;
  const r = await call(main.https, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `${v.canonical_query}&Signature=${enc(v.signature_post)}` });
  assertStsError(r, 400, 'InvalidTimeStamp.Expired');
  const a = VEC.acs3_v3;
  const r2 = await call(main.https, { method: 'POST', path: `/?${a.canonical_request.split('\n')[2]}`,
    headers: { host: a.host, ...a.headers, authorization: a.authorization }, body: '' });
  assertStsError(r2, 400, 'InvalidTimeStamp.Expired');
});

test('a tampered vector is refused with SignatureDoesNotMatch', async () => {
  const v = VEC.rpc_v1;
  const body = v.canonical_query.replace('web-upload-1', 'web-upload-2');
  const r = await call(fixed.https, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `${body}&Signature=${enc(v.signature_post)}` });
  assertStsError(r, 400, 'SignatureDoesNotMatch');
});

test('--max-duration and --lifetime: 43200 s accepted, credentials live 5 s', async () => {
  const now = await emuNow(fixed);
  const r = await rpc(fixed, { DurationSeconds: '43200' }, { ak: VAK, ts: now });
  assertAssumed(fixed, r, { lifetime: 5, now });
  const r2 = await rpc(fixed, { DurationSeconds: '43201' }, { ak: VAK, ts: now });
  assertStsError(r2, 400, 'InvalidParameter.DurationSeconds');
  assert.match(r2.json.Message, /15min\/12hr/);
});

/* ------------------------------------------------------------------ vendor clients */

test('pop-core RPCClient: AssumeRole over GET and POST', async () => {
  const agent = new https.Agent({ ca: CA });
  const client = new RPCClient({ endpoint: `https://127.0.0.1:${main.https}`, apiVersion: '2015-04-01',
    accessKeyId: AK.id, accessKeySecret: AK.secret, opts: { agent } });
  const get = await client.request('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'web-upload-1' });
  const c1 = assertAssumed(main, { status: 200, json: get, text: '' });
  let s = (await admin(main, 'stats')).json.last.AssumeRole;
  assert.equal(s.Method, 'GET');
  assert.equal(s.SignatureStyle, 'RPC');
  assert.equal(s.ParamsIn, 'query');
  const post = await client.request('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'web-upload-1',
    DurationSeconds: 900, Policy: POLICY }, { method: 'POST' });
  const c2 = assertAssumed(main, { status: 200, json: post, text: '' }, { lifetime: 900, policy: POLICY });
  assert.notEqual(c1.AccessKeyId, c2.AccessKeyId);
  s = (await admin(main, 'stats')).json.last.AssumeRole;
  assert.equal(s.Method, 'POST');
  assert.equal(s.ParamsIn, 'body');
  assert.equal(s.Policy, POLICY);
  await assert.rejects(client.request('AssumeRole', { RoleArn: 'acs:ram::x:role/r', RoleSessionName: 'ab' }),
    (e) => e.code === 'InvalidParameter.RoleArn');
  agent.destroy();
});

test('ali-oss STS client (ISO timestamp with milliseconds, numeric nonce)', async () => {
  const sts = new AliOssSts({ accessKeyId: AK.id, accessKeySecret: AK.secret,
    endpoint: `https://127.0.0.1:${main.https}`,
    urllib: { request: (url, params) => urllib.request(url, { ...params, ca: CA }) } });
  const r = await sts.assumeRole(ROLE, JSON.parse(POLICY), 1200, 'ali-oss-client');
  assert.equal(r.res.status, 200);
  assertCreds(main, r.credentials, { lifetime: 1200, policy: POLICY });
  const last = (await admin(main, 'stats')).json.last.AssumeRole;
  assert.equal(last.RoleSessionName, 'ali-oss-client');
  assert.equal(last.Policy, POLICY);
});

/* ------------------------------------------------------------------ RPC and ACS3 details */

test('RPC: XML unless Format=JSON, and Format is validated', async () => {
  const xml = await rpc(main, {}, { format: null });
  assert.equal(xml.status, 200);
  assert.match(xml.headers['content-type'], /xml/);
  assert.match(xml.text, /^<\?xml version='1\.0' encoding='UTF-8'\?><AssumeRoleResponse><RequestId>/);
  const akid = /<AccessKeyId>(STS\.[A-Za-z0-9]{25})<\/AccessKeyId>/.exec(xml.text)[1];
  assert.ok(fs.existsSync(path.join(main.stateDir, 'issued', `${akid}.json`)));
  secretsSeen.push(/<AccessKeySecret>([^<]+)</.exec(xml.text)[1]);
  const xmlErr = await rpc(main, { RoleSessionName: 'x' }, { format: 'XML' });
  assert.equal(xmlErr.status, 400);
  assert.match(xmlErr.text, /<Error><RequestId>[0-9A-F-]{36}<\/RequestId><HostId>[^<]+<\/HostId><Code>InvalidParameter\.RoleSessionName<\/Code>/);
  assertStsError(await rpc(main, {}, { format: 'YAML' }), 400, 'InvalidParameter.Format');
});

test('RPC: parameters split between query and body are merged and signed together', async () => {
  const p = rpcParams({}, { method: 'POST' });
  const q = {};
  const b = {};
  for (const [k, v] of Object.entries(p)) (['Action', 'Version', 'Format', 'Timestamp'].includes(k) ? q : b)[k] = v;
  const r = await call(main.https, { method: 'POST', path: `/?${formEncode(q)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formEncode(b) });
  assertAssumed(main, r);
  assert.equal((await admin(main, 'stats')).json.last.AssumeRole.ParamsIn, 'query+body');
  const dup = await call(main.https, { method: 'POST', path: `/?RoleSessionName=abc`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formEncode(p) });
  assertStsError(dup, 400, 'InvalidParameter');
});

test('ACS3: parameters in the query or in a form body; extra signed headers', async () => {
  assertAssumed(main, await acs3(main));
  const body = await acs3(main, { query: {}, bodyParams: { RoleArn: ROLE, RoleSessionName: 'web-upload-1',
    DurationSeconds: '1800', Policy: POLICY } });
  assertAssumed(main, body, { lifetime: 1800, policy: POLICY });
  const last = (await admin(main, 'stats')).json.last.AssumeRole;
  assert.equal(last.SignatureStyle, 'ACS3');
  assert.equal(last.ParamsIn, 'body');

  // sign user-agent as well (outside what the vendor helper signs): computed from the SPEC text
  const query = { RoleArn: ROLE, RoleSessionName: 'web-upload-1' };
  const headers = { host: `127.0.0.1:${main.https}`, 'user-agent': 'ossign-test/1', 'x-acs-action': 'AssumeRole',
    'x-acs-content-sha256': sha256hex(''), 'x-acs-date': isoSec(Date.now()),
    'x-acs-signature-nonce': crypto.randomUUID(), 'x-acs-version': '2015-04-01' };
  const signed = Object.keys(headers).sort();
  const sig = acs3SignOwn({ method: 'POST', query, headers, signed, secret: AK.secret });
  const r = await call(main.https, { method: 'POST', path: `/?${formEncode(query)}`, body: '', headers: { ...headers,
    authorization: `ACS3-HMAC-SHA256 Credential=${AK.id},SignedHeaders=${signed.join(';')},Signature=${sig}` } });
  assertAssumed(main, r);
});

test('ACS3: refused when wrong secret, unknown key, body changed, header unsigned, clock off, nonce reused', async () => {
  assertStsError(await acs3(main, { ak: { id: AK.id, secret: 'wrong' } }), 400, 'SignatureDoesNotMatch');
  assertStsError(await acs3(main, { ak: { id: 'LTAI5tNoSuchKey', secret: 'x' } }), 404, 'InvalidAccessKeyId.NotFound');
  assertStsError(await acs3(main, { query: {}, bodyParams: { RoleArn: ROLE, RoleSessionName: 'abc' },
    body: formEncode({ RoleArn: ROLE, RoleSessionName: 'abd' }) }), 400, 'SignatureDoesNotMatch');
  assertStsError(await acs3(main, { unsigned: { 'x-acs-extra': '1' } }), 400, 'IncompleteSignature');
  assertStsError(await acs3(main, { date: Date.now() - 16 * 60 * 1000 }), 400, 'InvalidTimeStamp.Expired');
  assertStsError(await acs3(main, { date: Date.now() + 16 * 60 * 1000 }), 400, 'InvalidTimeStamp.Expired');
  assertStsError(await acs3(main, { headers: { 'x-acs-date': '25/11/2026 06:09:41' } }), 400, 'InvalidTimeStamp.Format');
  assertStsError(await acs3(main, { version: '2019-01-01' }), 400, 'InvalidVersion');
  assertStsError(await acs3(main, { action: 'GetCallerIdentity' }), 404, 'InvalidAction.NotFound');
  const nonce = crypto.randomUUID();
  assertAssumed(main, await acs3(main, { nonce }));
  assertStsError(await acs3(main, { nonce }), 400, 'SignatureNonceUsed');
  const bad = await call(main.https, { method: 'POST', path: '/', body: '',
    headers: { authorization: 'ACS3-HMAC-SHA256 nonsense', 'x-acs-action': 'AssumeRole', 'x-acs-version': '2015-04-01' } });
  assertStsError(bad, 400, 'IncompleteSignature');
});

test('RPC: refused when wrong secret, unknown key, clock off, nonce reused, unsigned', async () => {
  assertStsError(await rpc(main, {}, { ak: { id: AK.id, secret: 'wrong-secret' } }), 400, 'SignatureDoesNotMatch');
  assertStsError(await rpc(main, {}, { ak: { id: 'LTAI5tNoSuchKey', secret: 'x' } }), 404, 'InvalidAccessKeyId.NotFound');
  assertStsError(await rpc(main, {}, { ts: Date.now() - 16 * 60 * 1000 }), 400, 'InvalidTimeStamp.Expired');
  assertStsError(await rpc(main, {}, { ts: Date.now() + 16 * 60 * 1000 }), 400, 'InvalidTimeStamp.Expired');
  assertAssumed(main, await rpc(main, {}, { ts: Date.now() - 14 * 60 * 1000 }));
  assertStsError(await rpc(main, { Timestamp: '2026-11-25 06:09:41' }), 400, 'InvalidTimeStamp.Format');
  const nonce = crypto.randomUUID();
  assertAssumed(main, await rpc(main, {}, { nonce }));
  assertStsError(await rpc(main, {}, { nonce }), 400, 'SignatureNonceUsed');
  assertStsError(await rpc(main, {}, { nonce, method: 'GET' }), 400, 'SignatureNonceUsed');
  assertStsError(await rpc(main, { SignatureMethod: 'HMAC-SHA256' }), 400, 'IncompleteSignature');
  assertStsError(await rpc(main, { Version: '2014-01-01' }), 400, 'InvalidVersion');
  assertStsError(await rpc(main, { Action: 'AssumeRoleWithSAML' }), 404, 'InvalidAction.NotFound');
  const p = rpcParams({});
  delete p.Signature;
  const unsigned = await call(main.https, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formEncode(p) });
  assertStsError(unsigned, 400, 'MissingSignature');
  assertStsError(await rpc(main, {}, { ak: DISABLED }), 400, 'InvalidAccessKeyId.Inactive');
  assertStsError(await rpc(main, {}, { ak: ROOTKEY }), 403, 'NoPermission');
  assertStsError(await call(main.https, { method: 'DELETE', path: '/' }), 404, 'InvalidAction.NotFound');
  assertStsError(await call(main.https, { path: '/latest/meta-data/' }), 404, 'InvalidAction.NotFound');
});

test('parameters: RoleArn, RoleSessionName, DurationSeconds, Policy, ExternalId', async () => {
  const cases = [
    [{ RoleArn: undefined }, 400, 'MissingRoleArn'],
    [{ RoleArn: 'acs:ram::1234567890123456:user/alice' }, 400, 'InvalidParameter.RoleArn'],
    [{ RoleArn: 'acs:ram::abc:role/r' }, 400, 'InvalidParameter.RoleArn'],
    [{ RoleArn: 'arn:aws:iam::123456789012:role/r' }, 400, 'InvalidParameter.RoleArn'],
    [{ RoleSessionName: undefined }, 400, 'MissingRoleSessionName'],
    [{ RoleSessionName: 'a' }, 400, 'InvalidParameter.RoleSessionName'],
    [{ RoleSessionName: 'a'.repeat(65) }, 400, 'InvalidParameter.RoleSessionName'],
    [{ RoleSessionName: 'abc*abc' }, 400, 'InvalidParameter.RoleSessionName'],
    [{ RoleSessionName: 'alice bob' }, 400, 'InvalidParameter.RoleSessionName'],
    [{ DurationSeconds: '899' }, 400, 'InvalidParameter.DurationSeconds'],
    [{ DurationSeconds: '3601' }, 400, 'InvalidParameter.DurationSeconds'],
    [{ DurationSeconds: '1e3' }, 400, 'InvalidParameter.DurationSeconds'],
    [{ DurationSeconds: '-900' }, 400, 'InvalidParameter.DurationSeconds'],
    [{ Policy: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:PutObject',
      Resource: 'x'.repeat(2048) }] }) }, 400, 'InvalidParameter.PolicySize'],
    [{ Policy: '{"Version":"1","Statement":[' }, 400, 'InvalidParameter.PolicyGrammar'],
    [{ Policy: '{"Version":"2","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*"}]}' }, 400,
      'InvalidParameter.PolicyGrammar'],
    [{ Policy: '{"Version":"1","Statement":[{"Effect":"Maybe","Action":"oss:*","Resource":"*"}]}' }, 400,
      'InvalidParameter.PolicyGrammar'],
    [{ Policy: '{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]}' }, 400, 'InvalidParameter.PolicyGrammar'],
    [{ ExternalId: 'a' }, 400, 'InvalidParameter.ExternalId'],
  ];
  for (const [extra, status, code] of cases) {
    const r = await rpc(main, extra);
    assertStsError(r, status, code);
  }
  // edges that are fine
  assertAssumed(main, await rpc(main, { RoleSessionName: 'a@b.c-d_e' }), { session: 'a@b.c-d_e' });
  assertAssumed(main, await rpc(main, { RoleSessionName: 'x'.repeat(64) }), { session: 'x'.repeat(64) });
  assertAssumed(main, await rpc(main, { DurationSeconds: '900' }), { lifetime: 900 });
  assertAssumed(main, await rpc(main, { DurationSeconds: '3600', ExternalId: 'ext-id:1' }));
  const big = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:PutObject',
    Resource: 'y'.repeat(1900) }] });
  assert.ok(big.length <= 2048);
  assertAssumed(main, await rpc(main, { Policy: big }), { policy: big });
});

test('roles.json: unknown roles, per-role MaxSessionDuration, ExternalId', async () => {
  const file = path.join(main.stateDir, 'roles.json');
  fs.writeFileSync(file, JSON.stringify([{ Arn: ROLE, MaxSessionDuration: 7200 },
    { Arn: ROLE2, MaxSessionDuration: 3600, ExternalId: 'abc-123' }]));
  try {
    const r = await rpc(main, { RoleArn: 'acs:ram::1234567890123456:role/nobody' });
    assertStsError(r, 404, 'EntityNotExist.Role');
    assert.match(r.json.Message, /role\/nobody/);
    assertAssumed(main, await rpc(main, { DurationSeconds: '7200' }), { lifetime: 7200 });
    assertStsError(await rpc(main, { DurationSeconds: '7201' }), 400, 'InvalidParameter.DurationSeconds');
    assertStsError(await rpc(main, { RoleArn: ROLE2 }), 403, 'NoPermission');
    assertStsError(await rpc(main, { RoleArn: ROLE2, ExternalId: 'abc-124' }), 403, 'NoPermission');
    assertAssumed(main, await rpc(main, { RoleArn: ROLE2, ExternalId: 'abc-123' }));
    assert.equal((await admin(main, 'stats')).json.last.AssumeRole.ExternalId, 'abc-123');
  } finally {
    fs.unlinkSync(file);
  }
  assertAssumed(main, await rpc(main, { RoleArn: 'acs:ram::1234567890123456:role/nobody' }));
});

test('role chaining: STS credentials sign AssumeRole only with their SecurityToken', async () => {
  const c = assertAssumed(main, await rpc(main, { DurationSeconds: '900' }), { lifetime: 900 });
  const sts = { id: c.AccessKeyId, secret: c.AccessKeySecret };
  assertAssumed(main, await rpc(main, { SecurityToken: c.SecurityToken }, { ak: sts }));
  assertAssumed(main, await acs3(main, { ak: sts, token: c.SecurityToken }));
  assertStsError(await rpc(main, {}, { ak: sts }), 400, 'MissingSecurityToken');
  assertStsError(await rpc(main, { SecurityToken: `${c.SecurityToken}x` }, { ak: sts }), 400,
    'InvalidSecurityToken.MismatchWithAccessKey');
  // 1000 s later the 900 s credentials have expired (the emulator's clock is moved, and so is ours)
  const r = await admin(main, 'clock', { advance: 1000 });
  assert.equal(r.status, 200);
  try {
    const now = await emuNow(main);
    assertStsError(await rpc(main, { SecurityToken: c.SecurityToken }, { ak: sts, ts: now }), 400,
      'InvalidSecurityToken.Expired');
    assertAssumed(main, await rpc(main, {}, { ts: now }), { now });
  } finally {
    assert.equal((await admin(main, 'clock', { offset: 0 })).status, 200);
  }
});

/* ------------------------------------------------------------------ ledger */

test('ledger: lookupAccessKey and checkToken', async () => {
  const dir = main.stateDir;
  const lt = ledger.lookupAccessKey(dir, AK.id);
  assert.equal(lt.secret, AK.secret);
  assert.equal(lt.token, null);
  assert.equal(lt.expiration, null);
  assert.equal(ledger.lookupAccessKey(dir, 'LTAI5tNoSuchKey', Date.now()), null);
  assert.equal(ledger.lookupAccessKey(dir, '../accounts', Date.now()), null);
  assert.equal(ledger.lookupAccessKey(dir, '..', Date.now()), null);

  const c = assertAssumed(main, await rpc(main, { Policy: POLICY }), { policy: POLICY });
  const exp = Date.parse(c.Expiration);
  const e = ledger.lookupAccessKey(dir, c.AccessKeyId, new Date());
  assert.equal(e.secret, c.AccessKeySecret);
  assert.equal(e.token, c.SecurityToken);
  assert.equal(e.expiration, c.Expiration);
  assert.equal(e.policy, POLICY);
  assert.equal(e.expired, false);
  assert.equal(ledger.lookupAccessKey(dir, c.AccessKeyId, exp).expired, true);

  assert.equal(ledger.checkToken(dir, c.AccessKeyId, c.SecurityToken, Date.now()), 'ok');
  assert.equal(ledger.checkToken(dir, c.AccessKeyId, c.SecurityToken, exp - 1000), 'ok');
  assert.equal(ledger.checkToken(dir, c.AccessKeyId, c.SecurityToken, exp), 'expired');
  assert.equal(ledger.checkToken(dir, c.AccessKeyId, c.SecurityToken, new Date(exp + 1)), 'expired');
  assert.equal(ledger.checkToken(dir, c.AccessKeyId, c.SecurityToken.slice(0, -1), Date.now()), 'mismatch');
  assert.equal(ledger.checkToken(dir, c.AccessKeyId, null, Date.now()), 'mismatch');
  assert.equal(ledger.checkToken(dir, 'STS.NoSuchKey', c.SecurityToken, Date.now()), 'unknown');
  assert.equal(ledger.checkToken(dir, AK.id, c.SecurityToken, Date.now()), 'unknown');
  // written atomically: nothing but <AccessKeyId>.json files in issued/
  for (const f of fs.readdirSync(path.join(dir, 'issued'))) assert.match(f, /^STS\.[A-Za-z0-9]{25}\.json$/);
});

/* ------------------------------------------------------------------ OIDC */

test('AssumeRoleWithOIDC: the token of DIR/oidc_token is accepted, others refused', async () => {
  const token = makeJwt({ iss: 'https://oidc.test', sub: 'system:serviceaccount:web:uploader', aud: 'sts.aliyuncs.com',
    iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 });
  fs.writeFileSync(path.join(main.stateDir, 'oidc_token'), `${token}\n`);
  const r = await oidc(main, { token, duration: '1800', policy: POLICY });
  assertAssumed(main, r, { lifetime: 1800, policy: POLICY, session: 'pod-1' });
  assert.equal(r.json.OIDCTokenInfo.Subject, 'system:serviceaccount:web:uploader');
  assert.equal(r.json.OIDCTokenInfo.Issuer, 'https://oidc.test');
  const noSession = await oidc(main, { token, session: null });
  assert.equal(noSession.status, 200, noSession.text);
  assert.match(noSession.json.AssumedRoleUser.AssumedRoleId, /:oidc-[A-Za-z0-9]{12}$/);

  const other = makeJwt({ iss: 'https://oidc.test', sub: 'x', exp: Math.floor(Date.now() / 1000) + 3600 });
  assertStsError(await oidc(main, { token: other }), 401, 'AuthenticationFail.OIDCToken.InvalidSignature');
  assertStsError(await oidc(main, { token: `${token}\n` }), 401, 'AuthenticationFail.OIDCToken.Invalid');
  assertStsError(await oidc(main, { token: 'not-a-jwt' }), 401, 'AuthenticationFail.OIDCToken.Invalid');
  assertStsError(await oidc(main, { token: undefined }), 401, 'AuthenticationFail.OIDCToken.Invalid');
  assertStsError(await oidc(main, { token, provider: 'acs:ram::123:role/x' }), 400, 'InvalidParameter.OIDCProviderArn');
  assertStsError(await oidc(main, { token, provider: null }), 400, 'MissingOIDCProviderArn');
  assertStsError(await oidc(main, { token, role: 'bad' }), 400, 'InvalidParameter.RoleArn');
  assertStsError(await oidc(main, { token, duration: '100' }), 400, 'InvalidParameter.DurationSeconds');
  assertStsError(await oidc(main, { token, ts: Date.now() - 3600 * 1000 }), 400, 'InvalidTimeStamp.Expired');

  fs.writeFileSync(path.join(main.stateDir, 'oidc_providers.json'), JSON.stringify(['acs:ram::1:oidc-provider/other']));
  try {
    assertStsError(await oidc(main, { token }), 401, 'AuthenticationFail.NoPermission');
  } finally {
    fs.unlinkSync(path.join(main.stateDir, 'oidc_providers.json'));
  }
  const expired = makeJwt({ iss: 'https://oidc.test', sub: 'x', exp: Math.floor(Date.now() / 1000) - 10 });
  fs.writeFileSync(path.join(main.stateDir, 'oidc_token'), expired);
  assertStsError(await oidc(main, { token: expired }), 401, 'AuthenticationFail.OIDCToken.Expired');
  fs.unlinkSync(path.join(main.stateDir, 'oidc_token'));
  assertStsError(await oidc(main, { token }), 401, 'AuthenticationFail.OIDCToken.InvalidSignature');
  fs.writeFileSync(path.join(main.stateDir, 'oidc_token'), token);
});

/* ------------------------------------------------------------------ ECS metadata, credentials URI */

test('ECS metadata: token PUT, listing and credentials need a valid token', async () => {
  const h = main.http;
  const put = (ttl, extra = {}) => call(h, { tls: false, method: 'PUT', path: '/latest/api/token',
    headers: ttl === undefined ? extra : { 'X-aliyun-ecs-metadata-token-ttl-seconds': String(ttl), ...extra } });
  const get = (p, token) => call(h, { tls: false, path: p,
    headers: token ? { 'X-aliyun-ecs-metadata-token': token } : {} });
  const LIST = '/latest/meta-data/ram/security-credentials/';

  assert.equal((await put(0)).status, 400);
  assert.equal((await put(21601)).status, 400);
  assert.equal((await put('abc')).status, 400);
  assert.equal((await put(undefined)).status, 400);
  assert.equal((await put(60, { 'X-Forwarded-For': '10.0.0.1' })).status, 403);
  assert.equal((await call(h, { tls: false, path: '/latest/api/token' })).status, 405);
  const t = await put(21600);
  assert.equal(t.status, 200);
  assert.match(t.text, /^[A-Za-z0-9_-]{40,}$/);
  const token = t.text;

  assert.equal((await get(LIST)).status, 403);
  assert.equal((await get(LIST, 'wrong-token')).status, 403);
  assert.equal((await get(`${LIST}oss-upload-role`)).status, 403);
  assert.equal((await get(`${LIST}oss-upload-role`, `${token}x`)).status, 403);
  const list = await get(LIST, token);
  assert.equal(list.status, 200);
  assert.equal(list.text, 'oss-upload-role');
  assert.equal((await get(`${LIST}other-role`, token)).status, 404);

  const c = await get(`${LIST}oss-upload-role`, token);
  assert.equal(c.status, 200, c.text);
  assert.deepEqual(Object.keys(c.json).sort(),
    ['AccessKeyId', 'AccessKeySecret', 'Code', 'Expiration', 'LastUpdated', 'SecurityToken']);
  assert.equal(c.json.Code, 'Success');
  assert.match(c.json.AccessKeyId, /^STS\./);
  assert.match(c.json.SecurityToken, /^CAIS/);
  assert.match(c.json.LastUpdated, EXP_RE);
  assert.ok(Math.abs(Date.parse(c.json.Expiration) - Date.now() - 21600 * 1000) < 5000);
  secretsSeen.push(c.json.AccessKeySecret, c.json.SecurityToken);
  assert.equal(ledger.checkToken(main.stateDir, c.json.AccessKeyId, c.json.SecurityToken, Date.now()), 'ok');
  const c2 = await get(`${LIST}oss-upload-role`, token);
  assert.equal(c2.json.AccessKeyId, c.json.AccessKeyId, 'the same credentials until half their life is gone');

  // an expired token is refused
  const short = (await put(1)).text;
  assert.equal((await get(LIST, short)).status, 200);
  await admin(main, 'clock', { advance: 2 });
  try {
    assert.equal((await get(LIST, short)).status, 403);
    assert.equal((await get(LIST, token)).status, 200);
  } finally {
    await admin(main, 'clock', { offset: 0 });
  }
  assert.equal((await get('/latest/meta-data/instance-id', token)).status, 404);
  // the metadata service is plain HTTP only; the HTTPS port is STS
  assertStsError(await call(main.https, { path: LIST }), 404, 'InvalidAction.NotFound');
});

test('credentials URI on both ports', async () => {
  const a = await call(main.https, { path: '/credentials' });
  const b = await call(main.http, { tls: false, path: '/credentials' });
  for (const r of [a, b]) {
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['AccessKeyId', 'AccessKeySecret', 'Code', 'Expiration', 'SecurityToken']);
    assert.equal(r.json.Code, 'Success');
    assert.match(r.json.Expiration, EXP_RE);
    secretsSeen.push(r.json.AccessKeySecret, r.json.SecurityToken);
    const e = ledger.lookupAccessKey(main.stateDir, r.json.AccessKeyId, Date.now());
    assert.equal(e.secret, r.json.AccessKeySecret);
  }
  assert.equal(a.json.AccessKeyId, b.json.AccessKeyId);
  assert.equal((await call(main.http, { tls: false, method: 'POST', path: '/credentials', body: '' })).status, 405);
});

test('--lifetime: metadata and URI credentials are renewed as they age', async () => {
  const first = await call(fixed.http, { tls: false, path: '/credentials' });
  assert.equal(first.status, 200);
  assert.ok(Date.parse(first.json.Expiration) - (await emuNow(fixed)) <= 5000);
  await admin(fixed, 'clock', { advance: 3 });
  const second = await call(fixed.http, { tls: false, path: '/credentials' });
  assert.notEqual(second.json.AccessKeyId, first.json.AccessKeyId);
  secretsSeen.push(first.json.AccessKeySecret, second.json.AccessKeySecret, first.json.SecurityToken);
  const tok = (await call(fixed.http, { tls: false, method: 'PUT', path: '/latest/api/token',
    headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' } })).text;
  const list = await call(fixed.http, { tls: false, path: '/latest/meta-data/ram/security-credentials/',
    headers: { 'X-aliyun-ecs-metadata-token': tok } });
  assert.equal(list.text, 'other-role');
});

/* ------------------------------------------------------------------ failure injection */

test('failure modes on AssumeRole answer like the real service', async () => {
  const expect = {
    http500: [500, 'InternalError'], http503: [503, 'ServiceUnavailable'], throttle: [400, 'Throttling.User'],
    nopermission: [403, 'NoPermission'], badrole: [404, 'EntityNotExist.Role'],
    timestamp: [400, 'InvalidTimeStamp.Expired'],
  };
  for (const [mode, [status, code]] of Object.entries(expect)) {
    await setFail(main, { mode, count: 1 });
    assertStsError(await rpc(main), status, code);
    assertAssumed(main, await rpc(main));           // count 1: the next call is fine
  }
  await setFail(main, { mode: 'garbage', count: 1 });
  const g = await rpc(main);
  assert.equal(g.status, 200);
  assert.equal(g.json, undefined, 'garbage is not JSON');
  assert.ok(g.text.length > 0);

  await setFail(main, { mode: 'partial', count: 1 });
  const p = await acs3(main);
  assert.equal(p.status, 200);
  assert.match(p.json.Credentials.AccessKeyId, /^STS\./);
  assert.ok(p.json.Credentials.SecurityToken);
  assert.equal(p.json.Credentials.AccessKeySecret, undefined);

  await setFail(main, { mode: 'close', count: 1 });
  await assert.rejects(rpc(main), (e) => /ECONNRESET|socket hang up/.test(`${e.code} ${e.message}`));
  assertAssumed(main, await rpc(main));

  await setFail(main, { mode: 'hang', count: 1 });
  const t0 = Date.now();
  await assert.rejects(call(main.https, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formEncode(rpcParams({})), timeout: 500 }), /client timeout/);
  assert.ok(Date.now() - t0 >= 450);
  assertAssumed(main, await rpc(main));

  await setFail(main, { mode: 'slow:400', count: 1 });
  const t1 = Date.now();
  assertAssumed(main, await rpc(main));
  assert.ok(Date.now() - t1 >= 390, 'slow:400 answers after 400 ms');
});

test('failure count, -1 until cleared, and the action filter', async () => {
  await setFail(main, { mode: 'http500', count: 2 });
  assertStsError(await rpc(main), 500, 'InternalError');
  assertStsError(await acs3(main), 500, 'InternalError');
  assertAssumed(main, await rpc(main));

  await setFail(main, { mode: 'http503', count: -1 });
  for (let i = 0; i < 3; i++) assertStsError(await rpc(main), 503, 'ServiceUnavailable');
  await setFail(main, { mode: 'none' });
  assertAssumed(main, await rpc(main));

  await setFail(main, { mode: 'throttle', count: 1, action: 'credentials_uri' });
  assertAssumed(main, await rpc(main));
  assertStsError(await call(main.https, { path: '/credentials' }), 400, 'Throttling.User');
  assert.equal((await call(main.https, { path: '/credentials' })).status, 200);
  const s = (await admin(main, 'stats')).json;
  assert.equal(s.fail.mode, 'none');
});

test('a nonce used in a failed call stays used', async () => {
  const nonce = crypto.randomUUID();
  await setFail(main, { mode: 'http500', count: 1 });
  assertStsError(await rpc(main, {}, { nonce }), 500, 'InternalError');
  assertStsError(await rpc(main, {}, { nonce }), 400, 'SignatureNonceUsed');
  // but a refused signature does not burn the nonce, and does not consume the failure
  await setFail(main, { mode: 'http503', count: 1 });
  const n2 = crypto.randomUUID();
  assertStsError(await rpc(main, {}, { nonce: n2, ak: { id: AK.id, secret: 'bad' } }), 400, 'SignatureDoesNotMatch');
  assertStsError(await rpc(main, {}, { nonce: n2 }), 503, 'ServiceUnavailable');
});

test('failure modes on OIDC, metadata and the credentials URI', async () => {
  const token = fs.readFileSync(path.join(main.stateDir, 'oidc_token'), 'utf8').trim();
  await setFail(main, { mode: 'nopermission', count: 1 });
  assertStsError(await oidc(main, { token }), 403, 'NoPermission');
  await setFail(main, { mode: 'partial', count: 1 });
  const po = await oidc(main, { token });
  assert.equal(po.status, 200);
  assert.equal(po.json.Credentials.AccessKeySecret, undefined);

  const tok = (await call(main.http, { tls: false, method: 'PUT', path: '/latest/api/token',
    headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' } })).text;
  const meta = () => call(main.http, { tls: false, path: '/latest/meta-data/ram/security-credentials/oss-upload-role',
    headers: { 'X-aliyun-ecs-metadata-token': tok }, timeout: 500 });
  await setFail(main, { mode: 'http500', count: 1, action: 'metadata' });
  assertStsError(await meta(), 500, 'InternalError');
  await setFail(main, { mode: 'partial', count: 1 });
  const pm = await meta();
  assert.equal(pm.status, 200);
  assert.equal(pm.json.Code, 'Success');
  assert.equal(pm.json.AccessKeySecret, undefined);
  await setFail(main, { mode: 'hang', count: 1 });
  await assert.rejects(meta(), /client timeout/);
  await setFail(main, { mode: 'badrole', count: 1 });
  assertStsError(await meta(), 404, 'EntityNotExist.Role');
  assert.equal((await meta()).status, 200);

  await setFail(main, { mode: 'garbage', count: 1, action: 'credentials_uri' });
  const gu = await call(main.http, { tls: false, path: '/credentials' });
  assert.equal(gu.status, 200);
  assert.equal(gu.json, undefined);
  await setFail(main, { mode: 'close', count: 1 });
  await assert.rejects(call(main.https, { path: '/credentials' }), (e) => /ECONNRESET|socket hang up/.test(`${e.code} ${e.message}`));
  await setFail(main, { mode: 'timestamp', count: 1 });
  assertStsError(await call(main.https, { path: '/credentials' }), 400, 'InvalidTimeStamp.Expired');
});

/* ------------------------------------------------------------------ stats, logs, shutdown */

test('stats count the calls per action and the errors; reset clears them', async () => {
  assert.equal((await admin(main, 'reset', {})).status, 200);
  let s = (await admin(main, 'stats')).json;
  assert.equal(s.AssumeRole + s.AssumeRoleWithOIDC + s.metadata + s.credentials_uri + s.errors, 0);
  assert.deepEqual(s.last, {});
  assertAssumed(main, await rpc(main));
  assertStsError(await rpc(main, { RoleSessionName: 'x' }), 400, 'InvalidParameter.RoleSessionName');
  assert.equal((await oidc(main, { token: fs.readFileSync(path.join(main.stateDir, 'oidc_token'), 'utf8').trim() })).status, 200);
  const tok = (await call(main.http, { tls: false, method: 'PUT', path: '/latest/api/token',
    headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' } })).text;
  await call(main.http, { tls: false, path: '/latest/meta-data/ram/security-credentials/oss-upload-role',
    headers: { 'X-aliyun-ecs-metadata-token': tok } });
  await call(main.http, { tls: false, path: '/credentials' });
  await setFail(main, { mode: 'http500', count: 1 });
  await call(main.http, { tls: false, path: '/credentials' });
  s = (await admin(main, 'stats')).json;
  assert.equal(s.AssumeRole, 2);
  assert.equal(s.AssumeRoleWithOIDC, 1);
  assert.equal(s.metadata, 1);
  assert.equal(s.metadata_token, 1);
  assert.equal(s.credentials_uri, 2);
  assert.equal(s.errors, 2);
  assert.equal(s.injected, 1);
  assert.equal(s.issued, 4);
  assert.equal(s.last.AssumeRole.RoleSessionName, 'web-upload-1');
  assert.equal(s.last.AssumeRole.AccessKeyId, AK.id);
});

test('a broken accounts.json gives InternalError (500) without quoting the file', async () => {
  const file = path.join(main.stateDir, 'accounts.json');
  const good = fs.readFileSync(file);
  fs.writeFileSync(file, `[{"AccessKeyId":"${AK.id}","AccessKeySecret":"${AK.secret}"`);
  try {
    assertStsError(await rpc(main), 500, 'InternalError');
  } finally {
    fs.writeFileSync(file, good);
  }
  for (let i = 0; i < 50 && !/internal error/.test(main.stderr()); i++) await sleep(20);
  assert.match(main.stderr(), /internal error: ledger: .*accounts\.json: not valid JSON\n/);
  assert.ok(!main.stderr().includes(AK.secret));
  assertAssumed(main, await rpc(main));
});

test('the log has one line per call and never a secret, a token or a signature', async () => {
  await sleep(100);
  const log = main.stderr() + fixed.stderr();
  const lines = log.trim().split('\n');
  assert.ok(lines.length > 100, `log lines: ${lines.length}`);
  for (const l of lines) {
    assert.match(l, /^sts-emu: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ((https|http) [A-Z]+ \S+ |internal error: )/, l);
  }
  assert.ok(lines.some((l) => /AssumeRole sig=rpc akid=LTAI5tEmuTestKey0000001 status=200 issued=STS\./.test(l)));
  assert.ok(secretsSeen.length > 20);
  for (const s of secretsSeen) assert.ok(!log.includes(s), 'a secret or token is in the log');
  // (code=MissingSecurityToken and the like may appear; values may not)
  assert.ok(!/Signature=|SecurityToken=|CAIS|AccessKeySecret/.test(log));
  assert.ok(!log.includes(VEC.rpc_v1.signature_post) && !log.includes(enc(VEC.rpc_v1.signature_post)));
});

test('SIGTERM ends the emulator cleanly even with a hung call', async () => {
  await setFail(fixed, { mode: 'hang', count: -1 });
  const pending = call(fixed.https, { path: '/credentials', timeout: 10000 }).catch((e) => e);
  await sleep(200);
  const t0 = Date.now();
  const r = await stopEmu(fixed);
  assert.deepEqual(r, { code: 0, sig: null });
  assert.ok(Date.now() - t0 < 3000);
  const e = await pending;
  assert.ok(e instanceof Error, 'the hung call ends when the emulator goes away');
  const r2 = await stopEmu(main);
  assert.deepEqual(r2, { code: 0, sig: null });
});
