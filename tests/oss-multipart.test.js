'use strict';
/*
 * tests/oss-multipart.test.js: unit tests of the OSS emulator's multipart API
 * (tests/emu/oss-multipart.js, plugged into tests/emu/oss.js's route table).
 *
 *   node --test --test-reporter=tap tests/oss-multipart.test.js      (from the top directory)
 *
 * Starts the emulator on port 0 (CORS for one origin) on a temporary state directory with a
 * long-term key and STS ledger entries (one with a session policy that allows only
 * oss:PutObject).  Requests are signed here with ali-oss's signUtils (header form: authorizationV4;
 * presigned: getCanonicalRequest, getStringToSign, getSignatureV4), the SDK code whose output
 * tests/t_ossapi compares with ossign's; each check is also shown refusing a request changed
 * after signing.  Skips (TAP "1..0 # SKIP", exit 0) when node_modules is absent.
 */

const path = require('node:path');
const fs = require('node:fs');

if (!fs.existsSync(path.join(__dirname, '..', 'node_modules', 'ali-oss', 'package.json'))) {
  if (process.env.NODE_TEST_CONTEXT) require('node:test')('multipart emulator', { skip: 'node_modules missing' }, () => {});
  else process.stdout.write('1..0 # SKIP node_modules missing\n');
  return;
}

const test = require('node:test');
const { before, after } = test;
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const os = require('node:os');
const { spawn } = require('node:child_process');
const signUtils = require('ali-oss/lib/common/signUtils.js');
const { parseCompleteBody } = require('./emu/oss-multipart.js');

const BUCKET = 'mp-bucket';
const REGION = 'cn-hangzhou';
const ORIGIN = 'http://127.0.0.1:8080';
const KB = 1024;
const rnd = (n) => crypto.randomBytes(n).toString('base64');
const LONG = { id: 'LTAI5tMultipartLong001', secret: `lt-${rnd(24)}`, token: null };
const STS = { id: 'STS.NMultipartKey000001', secret: `sts-${rnd(24)}`, token: `CAIS+${rnd(60)}` };
const STS_EXPIRED = { id: 'STS.NMultipartOld000002', secret: `sts-${rnd(24)}`, token: `CAIS+${rnd(60)}` };
const STS_PUT_ONLY = {
  id: 'STS.NMultipartPut000003', secret: `sts-${rnd(24)}`, token: `CAIS+${rnd(60)}`,
  policy: { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:PutObject'], Resource: [`acs:oss:*:*:${BUCKET}/*`] }] },
};

let dir;
let child;
let port;
let stderr = '';

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oss-mp-'));
  fs.mkdirSync(path.join(dir, 'issued'));
  fs.writeFileSync(path.join(dir, 'accounts.json'), JSON.stringify([{ AccessKeyId: LONG.id, AccessKeySecret: LONG.secret }]));
  const issue = (c, exp) => fs.writeFileSync(path.join(dir, 'issued', `${c.id}.json`), JSON.stringify({
    AccessKeyId: c.id, AccessKeySecret: c.secret, SecurityToken: c.token,
    Expiration: new Date(exp).toISOString().replace(/\.\d+Z$/, 'Z'), ...(c.policy ? { Policy: JSON.stringify(c.policy) } : {}),
  }));
  issue(STS, Date.now() + 3600e3);
  issue(STS_EXPIRED, Date.now() - 60e3);
  issue(STS_PUT_ONLY, Date.now() + 3600e3);
  child = spawn(process.execPath, [path.join(__dirname, 'emu', 'oss.js'), '--state', dir, '--port', '0',
    '--bucket', BUCKET, '--region', REGION, '--cors-origins', ORIGIN], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (d) => { stderr += d; });
  port = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no listening line: ${stderr}`)), 10000);
    child.stdout.on('data', (d) => {
      const m = /listening (\d+)/.exec(String(d));
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
  });
});

after(() => {
  if (child) child.kill('SIGTERM');
  // No secret or signature in the emulator's log.
  for (const c of [LONG, STS, STS_EXPIRED, STS_PUT_ONLY]) {
    assert.ok(!stderr.includes(c.secret) && !(c.token && stderr.includes(c.token)), 'a secret in the log');
  }
  assert.ok(!/x-oss-signature=|Signature=/.test(stderr), 'a signature in the log');
  fs.rmSync(dir, { recursive: true, force: true });
});

/* ------------------------------------------------------------------ helpers */

const amz = (ms) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
const keyPath = (key) => `/${key.split('/').map(encodeURIComponent).join('/')}`;
const qs = (params) => params.map(([k, v]) => (v === null ? encodeURIComponent(k)
  : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');

function send(method, target, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// A request in the V4 header form, signed by ali-oss; tamper(headers) changes it afterwards,
// and opts.send ({method, key, params}) sends it as another request than the one signed.
function signed(cred, method, key, params, extra = {}, body, opts = {}) {
  const headers = { 'x-oss-date': amz(opts.time || Date.now()), 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD', ...extra };
  if (cred.token) headers['x-oss-security-token'] = cred.token;
  const queries = {};
  for (const [k, v] of params) queries[k] = v;
  const lower = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  headers.Authorization = signUtils.authorizationV4(cred.id, cred.secret, REGION, method,
    { headers: lower, queries }, BUCKET, key, []);
  if (opts.tamper) opts.tamper(headers);
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  const as = { method, key, params, ...opts.send };
  return send(as.method, `${keyPath(as.key)}?${qs(as.params)}`, headers, body);
}

// A presigned UploadPart URL's path and query, as a browser gets it.
function presignPart(cred, key, uploadId, n, { expires = 600, time = Date.now() } = {}) {
  const date = amz(time);
  const params = [['partNumber', String(n)], ['uploadId', uploadId], ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
    ['x-oss-credential', signUtils.getCredential(date.slice(0, 8), REGION, cred.id)], ['x-oss-date', date],
    ['x-oss-expires', String(expires)]];
  if (cred.token) params.push(['x-oss-security-token', cred.token]);
  const queries = Object.fromEntries(params);
  const cr = signUtils.getCanonicalRequest('PUT', { headers: {}, queries }, BUCKET, key, []);
  const sig = signUtils.getSignatureV4(cred.secret, date.slice(0, 8), REGION, signUtils.getStringToSign(REGION, date, cr));
  return `${keyPath(key)}?${qs([...params, ['x-oss-signature', sig]])}`;
}

const codeOf = (res) => (/<Code>([^<]*)<\/Code>/.exec(res.body) || [])[1];
const ecOf = (res) => (/<EC>([^<]*)<\/EC>/.exec(res.body) || [])[1];
const xml = (res, el) => ((new RegExp(`<${el}>([^<]*)</${el}>`).exec(res.body) || [])[1] || '')
  .replace(/&quot;/g, '"').replace(/&amp;/g, '&');
function assertError(res, status, code) {
  assert.equal(res.status, status, res.body);
  assert.equal(codeOf(res), code, res.body);
  assert.match(res.headers['content-type'], /application\/xml/);
}

async function initiate(cred, key, headers = {}) {
  const res = await signed(cred, 'POST', key, [['uploads', null]], { 'Content-Type': 'video/mp4', ...headers }, '');
  assert.equal(res.status, 200, res.body);
  return xml(res, 'UploadId');
}

async function putPart(cred, key, id, n, bytes, headers = {}) {
  return send('PUT', presignPart(cred, key, id, n), { 'Content-Length': String(bytes.length), ...headers }, bytes);
}

const completeXml = (parts) => `<CompleteMultipartUpload>${parts.map((p) =>
  `<Part><PartNumber>${p.n}</PartNumber><ETag>${p.etag.replace(/"/g, '&#34;')}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

/* ------------------------------------------------------------------ tests */

test('Complete body parser: Go SDK escaping, OSS schema only', () => {
  const body = fs.readFileSync(path.join(__dirname, 'data', 'oss-xml', 'complete-request-go.xml'), 'utf8');
  const parts = parseCompleteBody(body);
  assert.ok(parts.length >= 1 && parts.every((p) => Number.isInteger(p.number) && p.etag.startsWith('"')));
  assert.throws(() => parseCompleteBody('<CompleteMultipartUpload></CompleteMultipartUpload>'), /well-formed/);
  assert.throws(() => parseCompleteBody('<Other><Part/></Other>'), /well-formed/);
});

test('a whole upload: Initiate, parts by presigned URL (ETag exposed to the origin), ListParts, Complete', async () => {
  const key = 'big/a b+c.bin';
  const id = await initiate(STS, key, { 'Cache-Control': 'no-cache', 'x-oss-meta-owner': 'alice',
    'x-oss-storage-class': 'IA' });
  assert.match(id, /^[0-9A-F]{32}$/);
  const p1 = crypto.randomBytes(150 * KB);
  const p2 = crypto.randomBytes(10 * KB);
  const r1 = await putPart(STS, key, id, 1, p1, { Origin: ORIGIN });
  assert.equal(r1.status, 200);
  assert.equal(r1.headers.etag, `"${crypto.createHash('md5').update(p1).digest('hex').toUpperCase()}"`);
  assert.equal(r1.headers['access-control-allow-origin'], ORIGIN);
  assert.match(r1.headers['access-control-expose-headers'], /\bETag\b/);
  const r2 = await putPart(STS, key, id, 2, p2);
  const list = await signed(STS, 'GET', key, [['uploadId', id]]);
  assert.equal(list.status, 200, list.body);
  assert.equal(xml(list, 'IsTruncated'), 'false');
  assert.equal((list.body.match(/<Part>/g) || []).length, 2);
  const done = await signed(STS, 'POST', key, [['uploadId', id]], { 'Content-Type': 'application/xml' },
    completeXml([{ n: 1, etag: r1.headers.etag }, { n: 2, etag: r2.headers.etag }]));
  assert.equal(done.status, 200, done.body);
  assert.match(xml(done, 'ETag'), /^"[0-9A-F]{32}-2"$/);
  const obj = await send('GET', `/_emu/object?key=${encodeURIComponent(key)}`, {});
  assert.equal(obj.status, 200);
  const got = await new Promise((resolve) => http.get({ host: '127.0.0.1', port, path: `/_emu/object?key=${encodeURIComponent(key)}` },
    (res) => { const c = []; res.on('data', (d) => c.push(d)); res.on('end', () => resolve({ h: res.headers, b: Buffer.concat(c) })); }));
  assert.ok(got.b.equals(Buffer.concat([p1, p2])), 'the object is the parts joined');
  assert.equal(got.h['content-type'], 'video/mp4');
  assert.equal(got.h['cache-control'], 'no-cache');
  assert.equal(got.h['x-oss-meta-owner'], 'alice');
  assert.equal(got.h['x-oss-storage-class'], 'IA');
  assertError(await signed(STS, 'GET', key, [['uploadId', id]]), 404, 'NoSuchUpload');
});

test('ListParts pages: max-parts, IsTruncated, NextPartNumberMarker, part-number-marker', async () => {
  const key = 'big/paged.bin';
  const id = await initiate(LONG, key);
  for (const n of [1, 2, 5]) assert.equal((await putPart(LONG, key, id, n, crypto.randomBytes(KB))).status, 200);
  const a = await signed(LONG, 'GET', key, [['max-parts', '2'], ['uploadId', id]]);
  assert.equal(xml(a, 'IsTruncated'), 'true');
  assert.equal(xml(a, 'NextPartNumberMarker'), '2');
  const b = await signed(LONG, 'GET', key, [['max-parts', '2'], ['part-number-marker', '2'], ['uploadId', id]]);
  assert.equal(xml(b, 'IsTruncated'), 'false');
  assert.deepEqual([...b.body.matchAll(/<PartNumber>(\d+)</g)].map((m) => m[1]), ['5']);
  assertError(await signed(LONG, 'GET', key, [['max-parts', '1001'], ['uploadId', id]]), 400, 'InvalidArgument');
});

test('Complete refuses: parts out of order, an unknown ETag, a small part but the last, forbid-overwrite', async () => {
  const key = 'big/rules.bin';
  const id = await initiate(LONG, key);
  const small = await putPart(LONG, key, id, 1, crypto.randomBytes(50 * KB));
  const big = await putPart(LONG, key, id, 2, crypto.randomBytes(120 * KB));
  const last = await putPart(LONG, key, id, 3, crypto.randomBytes(KB));
  const complete = (parts, h = {}) => signed(LONG, 'POST', key, [['uploadId', id]],
    { 'Content-Type': 'application/xml', ...h }, completeXml(parts));
  assertError(await complete([{ n: 2, etag: big.headers.etag }, { n: 3, etag: last.headers.etag },
    { n: 1, etag: small.headers.etag }]), 400, 'InvalidPartOrder');
  assertError(await complete([{ n: 2, etag: '"00000000000000000000000000000000"' }]), 400, 'InvalidPart');
  assertError(await complete([{ n: 4, etag: last.headers.etag }]), 400, 'InvalidPart');
  assertError(await complete([{ n: 1, etag: small.headers.etag }, { n: 3, etag: last.headers.etag }]), 400, 'EntityTooSmall');
  // The last part may be small; a part left out is dropped.
  const ok = await complete([{ n: 2, etag: big.headers.etag }, { n: 3, etag: last.headers.etag }]);
  assert.equal(ok.status, 200, ok.body);
  // Again over the same key, with x-oss-forbid-overwrite: 409, on Initiate and on Complete.
  assertError(await signed(LONG, 'POST', key, [['uploads', null]], { 'x-oss-forbid-overwrite': 'true' }, ''),
    409, 'FileAlreadyExists');
  const id2 = await initiate(LONG, key);
  const p = await putPart(LONG, key, id2, 1, crypto.randomBytes(KB));
  assertError(await signed(LONG, 'POST', key, [['uploadId', id2]], { 'x-oss-forbid-overwrite': 'true' },
    completeXml([{ n: 1, etag: p.headers.etag }])), 409, 'FileAlreadyExists');
});

test('Abort: 204, then NoSuchUpload for every call; an upload id under another key is NoSuchUpload', async () => {
  const key = 'big/aborted.bin';
  const id = await initiate(LONG, key);
  assertError(await signed(LONG, 'GET', 'big/other.bin', [['uploadId', id]]), 404, 'NoSuchUpload');
  const res = await signed(LONG, 'DELETE', key, [['uploadId', id]]);
  assert.equal(res.status, 204);
  assertError(await signed(LONG, 'DELETE', key, [['uploadId', id]]), 404, 'NoSuchUpload');
  assertError(await putPart(LONG, key, id, 1, Buffer.from('x')), 404, 'NoSuchUpload');
});

test('V4 header form: a changed header, method or key, a wrong secret, no signature: refused', async () => {
  const key = 'big/sig.bin';
  assertError(await signed(LONG, 'POST', key, [['uploads', null]], { 'Content-Type': 'video/mp4' }, '',
    { tamper: (h) => { h['Content-Type'] = 'text/html'; } }), 403, 'SignatureDoesNotMatch');
  assertError(await signed({ ...LONG, secret: 'wrong' }, 'POST', key, [['uploads', null]], {}, ''), 403, 'SignatureDoesNotMatch');
  assertError(await signed(LONG, 'POST', key, [['uploads', null]], {}, '',
    { tamper: (h) => { h['x-oss-meta-evil'] = '1'; } }), 403, 'SignatureDoesNotMatch');
  assertError(await send('POST', `${keyPath(key)}?uploads`, { 'Content-Length': '0' }, ''), 403, 'AccessDenied');
  assertError(await signed(LONG, 'POST', key, [['uploads', null]], {}, '', { time: Date.now() - 20 * 60e3 }),
    403, 'RequestTimeTooSkewed');
  assertError(await signed(LONG, 'POST', key, [['uploads', null]], {}, '',
    { tamper: (h) => { delete h['x-oss-content-sha256']; } }), 400, 'InvalidArgument');
  const sha = crypto.createHash('sha256').update('').digest('hex');
  const hashed = await signed(LONG, 'POST', key, [['uploads', null]], { 'x-oss-content-sha256': sha }, '');
  assertError(hashed, 400, 'InvalidArgument');
  assert.equal(ecOf(hashed), '0002-00000214');
  // Signed for one request, sent as another: the method, the key, the query.
  const id = await initiate(LONG, key);
  assertError(await signed(LONG, 'GET', key, [['uploadId', id]], {}, undefined,
    { send: { method: 'DELETE' } }), 403, 'SignatureDoesNotMatch');
  assertError(await signed(LONG, 'GET', 'big/other-sig.bin', [['uploadId', id]], {}, undefined,
    { send: { key } }), 403, 'SignatureDoesNotMatch');
  assertError(await signed(LONG, 'GET', key, [['max-parts', '2'], ['uploadId', id]], {}, undefined,
    { send: { params: [['max-parts', '3'], ['uploadId', id]] } }), 403, 'SignatureDoesNotMatch');
  // The scope's region and the date in it are checked, not only the signature.
  assertError(await signed(LONG, 'GET', key, [['uploadId', id]], {}, undefined,
    { tamper: (h) => { h.Authorization = h.Authorization.replace(`/${REGION}/`, '/cn-beijing/'); } }),
  400, 'InvalidArgument');
  // Unchanged, the same request passes: the refusals above are the changes'.
  assert.equal((await signed(LONG, 'GET', key, [['uploadId', id]])).status, 200);
});

test('presigned UploadPart: a Content-Type the URL did not sign, another part number, an expired URL: refused', async () => {
  const key = 'big/presigned.bin';
  const id = await initiate(STS, key);
  const url = presignPart(STS, key, id, 1);
  assertError(await send('PUT', url, { 'Content-Type': 'application/octet-stream', 'Content-Length': '1' }, 'x'),
    403, 'SignatureDoesNotMatch');
  assertError(await send('PUT', url.replace('partNumber=1', 'partNumber=2'), { 'Content-Length': '1' }, 'x'),
    403, 'SignatureDoesNotMatch');
  const old = presignPart(STS, key, id, 1, { expires: 60, time: Date.now() - 120e3 });
  const res = await send('PUT', old, { 'Content-Length': '1' }, 'x');
  assertError(res, 403, 'AccessDenied');
  assert.match(res.body, /Request has expired/);
  assertError(await send('PUT', presignPart(STS, key, id, 10001), { 'Content-Length': '1' }, 'x'), 400, 'InvalidArgument');
  // A URL signed with another secret, one for another key, or with its signature cut.
  assertError(await send('PUT', presignPart({ ...STS, secret: 'wrong' }, key, id, 1), { 'Content-Length': '1' }, 'x'),
    403, 'SignatureDoesNotMatch');
  assertError(await send('PUT', presignPart(STS, 'big/elsewhere.bin', id, 1).replace(keyPath('big/elsewhere.bin'), keyPath(key)),
    { 'Content-Length': '1' }, 'x'), 403, 'SignatureDoesNotMatch');
  assertError(await send('PUT', url.replace(/&x-oss-signature=[0-9a-f]+$/, '&x-oss-signature='), { 'Content-Length': '1' }, 'x'),
    403, 'SignatureDoesNotMatch');
  assert.equal((await send('PUT', url, { 'Content-Length': '1' }, 'x')).status, 200);
});

test('security tokens: the ledger\'s own, unexpired; another token or an expired one refused', async () => {
  const key = 'big/token.bin';
  assertError(await signed({ ...STS, token: `CAIS+${rnd(60)}` }, 'POST', key, [['uploads', null]], {}, ''),
    403, 'InvalidSecurityToken');
  assertError(await signed(STS_EXPIRED, 'POST', key, [['uploads', null]], {}, ''), 403, 'SecurityTokenExpired');
  assertError(await signed({ ...STS, token: null }, 'POST', key, [['uploads', null]], {}, ''), 403, 'InvalidAccessKeyId');
});

test('session policy: oss:PutObject covers Initiate, parts and Complete; ListParts and Abort need their own actions', async () => {
  const key = 'big/scoped.bin';
  const id = await initiate(STS_PUT_ONLY, key);
  const p = await putPart(STS_PUT_ONLY, key, id, 1, crypto.randomBytes(KB));
  assert.equal(p.status, 200);
  const list = await signed(STS_PUT_ONLY, 'GET', key, [['uploadId', id]]);
  assertError(list, 403, 'AccessDenied');
  assert.equal(ecOf(list), '0003-00000301');
  assertError(await signed(STS_PUT_ONLY, 'DELETE', key, [['uploadId', id]]), 403, 'AccessDenied');
  const done = await signed(STS_PUT_ONLY, 'POST', key, [['uploadId', id]], {}, completeXml([{ n: 1, etag: p.headers.etag }]));
  assert.equal(done.status, 200, done.body);
});

test('callback headers on Complete go to the callback hook (501 until callbacks are emulated)', async () => {
  const key = 'big/callback.bin';
  const id = await initiate(LONG, key);
  const p = await putPart(LONG, key, id, 1, crypto.randomBytes(KB));
  const cb = Buffer.from(JSON.stringify({ callbackUrl: 'http://127.0.0.1:9/cb', callbackBody: 'object=${object}' })).toString('base64');
  const res = await signed(LONG, 'POST', key, [['uploadId', id]], { 'x-oss-callback': cb },
    completeXml([{ n: 1, etag: p.headers.etag }]));
  assertError(res, 501, 'NotImplemented');
});

test('CORS: a browser may PUT parts (preflight), and the admin route lists uploads in progress', async () => {
  const pre = await send('OPTIONS', '/big/x.bin?partNumber=1&uploadId=X', { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT' });
  assert.equal(pre.status, 200);
  assert.match(pre.headers['access-control-allow-methods'], /\bPUT\b/);
  const key = 'big/listed.bin';
  const id = await initiate(LONG, key);
  await putPart(LONG, key, id, 3, crypto.randomBytes(KB));
  const res = await send('GET', '/_emu/uploads', {});
  const u = JSON.parse(res.body).uploads.find((x) => x.uploadId === id);
  assert.equal(u.key, key);
  assert.deepEqual(u.parts.map((x) => x.number), [3]);
});
