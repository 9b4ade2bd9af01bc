'use strict';
const fs = require('node:fs');
const path = require('node:path');
/*
 * tests/lib/uppy-s3.js: drives Uppy Companion's S3 routes on ossign the way @uppy/aws-s3 does,
 * through a web server, against the OSS emulator (tests/multipart.sh starts them all).
 *
 *   node tests/lib/uppy-s3.js --count          the number of checks it makes
 *   BASE=http://127.0.0.1:PORT/ossign OSS=http://127.0.0.1:PORT ORIGIN=http://page.example \
 *   ALICE=alice:PW BOB=bob:PW node tests/lib/uppy-s3.js
 *
 * Prints one line per check, "ok NAME" or "not ok NAME: WHY", always exactly --count of them (a
 * check that cannot run says why).  The shapes come from @uppy/aws-s3's source
 * (github.com/transloadit/uppy): 6.x (src/s3-client/CompanionS3.ts, companionEndpoint) calls
 * fetch with no headers but content-type on bodies, its queries built by URLSearchParams (space
 * "+"), ETags sent back without quotes; 5.x (tag @uppy/aws-s3@5.1.0, src/index.ts and
 * @uppy/companion-client's RequestClient) sends Accept: application/json (and Content-Type:
 * application/json with a body), encodeURIComponent for key= (space "%20"), ETags as OSS gave
 * them (quoted), reads {url} and PUTs the part with the headers of the answer (none).  Both PUT
 * each part with no Content-Type (a Blob slice has no type) and read the ETag response header.
 * Sections: tests/data/multipart-uploads.conf.
 */

const http = require('node:http');
const crypto = require('node:crypto');

const CHECKS = [];
const check = (name, fn) => CHECKS.push({ name, fn });

const env = process.env;
const BASE = env.BASE;
const ORIGIN = env.ORIGIN;
const MB = 1024 * 1024;
const KB = 1024;

/* ------------------------------------------------------------------ HTTP */

function request(method, url, { headers = {}, body, user } = {}) {
  const u = new URL(url);
  const h = { ...headers };
  if (user) h.Authorization = `Basic ${Buffer.from(user).toString('base64')}`;
  if (body !== undefined) h['Content-Length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: u.pathname + u.search, headers: h },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks);
          let json = null;
          try {
            json = JSON.parse(text.toString('utf8'));
          } catch (e) { /* not JSON */ }
          resolve({ status: res.statusCode, headers: res.headers, body: text, json });
        });
      });
    req.on('error', reject);
    req.end(body);
  });
}

class Fail extends Error {}
function expect(cond, why) {
  if (!cond) throw new Fail(why);
}
function expectStatus(res, status, code) {
  const got = res.json && res.json.error ? `${res.status} ${res.json.error.code}: ${res.json.error.message}` : `${res.status}`;
  expect(res.status === status, `expected ${status}${code ? ` ${code}` : ''}, got ${got}`);
  if (code) expect(res.json && res.json.error && res.json.error.code === code, `expected ${code}, got ${got}`);
}
// Every answer of ossign: JSON, no i-am header; CORS for the allowed origin.
function expectOssign(res) {
  expect(/^application\/json/.test(res.headers['content-type'] || ''), `not JSON: ${res.headers['content-type']}`);
  expect(res.json !== null, 'the body does not parse as JSON');
  expect(res.headers['i-am'] === undefined, 'an i-am header');
}

/* ------------------------------------------------------------------ the two generations */

// 6.x: CompanionS3 (companionEndpoint): URLSearchParams, no headers but content-type.
const v6 = {
  name: '6.x',
  headers: (body) => ({ Origin: ORIGIN, ...(body ? { 'content-type': 'application/json' } : {}) }),
  q: (o) => new URLSearchParams(o).toString(),
  path: (id, rest) => `/multipart/${encodeURIComponent(id)}${rest || ''}`,
  etag: (e) => e.replace(/^"+|"+$/g, ''),
};
// 5.x: RequestClient: Accept always, Content-Type with a body, encodeURIComponent for key.
const v5 = {
  name: '5.x',
  headers: (body) => ({ Origin: ORIGIN, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) }),
  q: (o) => Object.entries(o).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'),
  path: (id, rest) => `/multipart/${encodeURIComponent(id)}${rest || ''}`,
  etag: (e) => e,
};

function s3(gen, section) {
  const base = section ? BASE.replace(/\/?$/, `/${section}`) : BASE;
  return {
    create: (user, filename, type, metadata = { name: filename }) => {
      const body = JSON.stringify({ filename, type, metadata });
      return request('POST', `${base}/s3/multipart`, { headers: gen.headers(true), body, user });
    },
    sign: (user, id, key, n) => request('GET', `${base}/s3${gen.path(id, `/${n}`)}?${gen.q({ key })}`,
      { headers: gen.headers(false), user }),
    batch: (user, id, key, nums) => request('GET',
      `${base}/s3${gen.path(id, '/batch')}?${gen.q({ key })}&partNumbers=${nums.join(',')}`, { headers: gen.headers(false), user }),
    list: (user, id, key) => request('GET', `${base}/s3${gen.path(id)}?${gen.q({ key })}`, { headers: gen.headers(false), user }),
    complete: (user, id, key, parts) => request('POST', `${base}/s3${gen.path(id, '/complete')}?${gen.q({ key })}`,
      { headers: gen.headers(true), user,
        body: JSON.stringify({ parts: parts.map((p) => ({ PartNumber: p.PartNumber, ETag: gen.etag(p.ETag) })) }) }),
    abort: (user, id, key) => request('DELETE', `${base}/s3${gen.path(id)}?${gen.q({ key })}`,
      { headers: gen.headers(false), user }),
    params: (user, query) => request('GET', `${base}/s3/params?${query}`, { headers: gen.headers(false), user }),
  };
}

// PUT a part to its presigned URL as the browser does: no Content-Type; the ETag header back.
async function putPart(url, bytes) {
  const res = await request('PUT', url, { headers: { Origin: ORIGIN }, body: bytes });
  expect(res.status === 200, `PUT part: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  expect(typeof res.headers.etag === 'string', 'PUT part: no ETag header');
  expect(/\bETag\b/i.test(res.headers['access-control-expose-headers'] || ''), 'PUT part: ETag not exposed by CORS');
  return res.headers.etag;
}

// The stored object, by the emulator's admin route.
async function stored(key) {
  const res = await request('GET', `${env.OSS}/_emu/object?key=${encodeURIComponent(key)}`);
  return res.status === 200 ? res : null;
}

// A whole multipart upload: create, sign each part (one by one, or in a batch), PUT, complete.
async function upload(gen, user, filename, type, sizes, { section, batch } = {}) {
  const api = s3(gen, section);
  const c = await api.create(user, filename, type);
  expectStatus(c, 200);
  expectOssign(c);
  const { key, uploadId } = c.json;
  expect(typeof key === 'string' && typeof uploadId === 'string', 'create: no key or uploadId');
  const chunks = sizes.map((n) => crypto.randomBytes(n));
  const parts = [];
  let urls = null;
  if (batch) {
    const b = await api.batch(user, uploadId, key, sizes.map((_, i) => i + 1));
    expectStatus(b, 200);
    urls = b.json.presignedUrls;
  }
  for (let i = 0; i < chunks.length; i++) {
    let url = urls && urls[String(i + 1)];
    if (!url) {
      const s = await api.sign(user, uploadId, key, i + 1);
      expectStatus(s, 200);
      expectOssign(s);
      url = s.json.url;
    }
    parts.push({ PartNumber: i + 1, ETag: await putPart(url, chunks[i]) });
  }
  return { api, key, uploadId, parts, bytes: Buffer.concat(chunks) };
}

/* ------------------------------------------------------------------ the checks */

for (const gen of [v6, v5]) {
  check(`${gen.name} s3/params: the form signature, exact key, a space as ${gen === v6 ? '+' : '%20'}; the POST stores it`, async () => {
    const q = gen === v6 ? 'filename=my+notes+6.txt&type=text%2Fplain&metadata%5Bname%5D=my+notes+6.txt'
      : 'filename=my%20notes%205.txt&type=text%2Fplain&metadata[name]=my%20notes%205.txt';
    const res = await s3(gen).params(env.ALICE, q);
    expectStatus(res, 200);
    expectOssign(res);
    const { method, url, fields, expires } = res.json;
    expect(method === 'POST' && url === `${env.OSS}/` && typeof expires === 'number' && expires > 0,
      `shape: ${method} ${url} ${expires}`);
    expect(fields.key === `big/my_notes_${gen === v6 ? 6 : 5}.txt`, `fields.key ${fields.key}`);
    expect(fields['x-oss-meta-source'] === 'uppy', 'the section\'s metadata pinned');
    const boundary = `----u${crypto.randomBytes(8).toString('hex')}`;
    let body = '';
    for (const [k, v] of Object.entries(fields)) {
      body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
    }
    body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\nContent-Type: text/plain\r\n\r\n` +
      `${gen.name} hello\r\n--${boundary}--\r\n`;
    const post = await request('POST', url, { headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, Origin: ORIGIN }, body });
    expect(post.status >= 200 && post.status < 300, `POST: ${post.status} ${post.body}`);
    const obj = await stored(fields.key);
    expect(obj && obj.body.toString() === `${gen.name} hello`, 'the object is not what was sent');
  });

  check(`${gen.name} multipart: create, sign, PUT, list, complete (${gen === v6 ? 'ETags unquoted, parts one by one' : 'ETags quoted, a batch'})`, async () => {
    const u = await upload(gen, env.ALICE, `${gen.name} clip.bin`, 'application/octet-stream', [5 * MB, 5 * MB, 300 * KB],
      { batch: gen === v5 });
    const l = await u.api.list(env.ALICE, u.uploadId, u.key);
    expectStatus(l, 200);
    expect(Array.isArray(l.json) && l.json.length === 3 && l.json[0].PartNumber === 1 && l.json[2].Size === 300 * KB &&
      l.json[1].ETag === u.parts[1].ETag, `ListParts: ${JSON.stringify(l.json)}`);
    const done = await u.api.complete(env.ALICE, u.uploadId, u.key, u.parts);
    expectStatus(done, 200);
    expectOssign(done);
    expect(done.json.key === u.key && typeof done.json.location === 'string' && done.json.location.endsWith(
      u.key.split('/').map(encodeURIComponent).join('/')), `complete: ${JSON.stringify(done.json)}`);
    const obj = await stored(u.key);
    expect(obj && obj.body.equals(u.bytes), 'the object is not the parts joined');
    expect(obj.headers['content-type'] === 'application/octet-stream' && obj.headers['x-oss-meta-source'] === 'uppy' &&
      obj.headers['cache-control'] === 'no-cache', `stored headers: ${JSON.stringify(obj.headers)}`);
  });
}

check('resume: after an interruption ListParts names what is on OSS, the rest is sent, complete', async () => {
  const api = s3(v6);
  const c = await api.create(env.ALICE, 'resumed.bin', 'application/octet-stream');
  expectStatus(c, 200);
  const { key, uploadId } = c.json;
  const p1 = crypto.randomBytes(5 * MB);
  const e1 = await putPart((await api.sign(env.ALICE, uploadId, key, 1)).json.url, p1);
  // The page reloads: only key and uploadId survive (Golden Retriever); ask OSS what it has.
  const l = await api.list(env.ALICE, uploadId, key);
  expectStatus(l, 200);
  expect(l.json.length === 1 && l.json[0].PartNumber === 1 && l.json[0].ETag === e1 && l.json[0].Size === p1.length,
    `ListParts after the interruption: ${JSON.stringify(l.json)}`);
  const p2 = crypto.randomBytes(200 * KB);
  const e2 = await putPart((await api.sign(env.ALICE, uploadId, key, 2)).json.url, p2);
  const done = await api.complete(env.ALICE, uploadId, key, [...l.json, { PartNumber: 2, ETag: e2 }]);
  expectStatus(done, 200);
  expect((await stored(key)).body.equals(Buffer.concat([p1, p2])), 'the resumed object differs');
});

check('abort: DELETE answers {}, the upload is gone on OSS (404 no_such_upload with OSS\'s request id)', async () => {
  const api = s3(v5);
  const c = await api.create(env.ALICE, 'dropped.bin', 'application/octet-stream');
  const { key, uploadId } = c.json;
  const a = await api.abort(env.ALICE, uploadId, key);
  expectStatus(a, 200);
  expectOssign(a);
  expect(JSON.stringify(a.json) === '{}', `abort answered ${a.body}`);
  const l = await api.list(env.ALICE, uploadId, key);
  expectStatus(l, 404, 'no_such_upload');
  expect(/NoSuchUpload .*request id [0-9A-F]{24}/.test(l.json.error.message), l.json.error.message);
});

check('CORS: preflights for POST (content-type, accept) and DELETE allowed for the origin; answers carry it', async () => {
  const pre = await request('OPTIONS', `${BASE}/s3/multipart`, { user: env.ALICE, headers: { Origin: ORIGIN,
    'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'accept,content-type' } });
  expect(pre.status === 204, `preflight ${pre.status}`);
  expect(pre.headers['access-control-allow-origin'] === ORIGIN, 'no Allow-Origin');
  expect(/\bPOST\b/.test(pre.headers['access-control-allow-methods']), pre.headers['access-control-allow-methods']);
  expect(pre.headers['access-control-allow-headers'] === 'content-type, accept', pre.headers['access-control-allow-headers']);
  const del = await request('OPTIONS', `${BASE}/s3/multipart/X.0`, { user: env.ALICE, headers: { Origin: ORIGIN,
    'Access-Control-Request-Method': 'DELETE' } });
  expect(del.status === 204 && /\bDELETE\b/.test(del.headers['access-control-allow-methods']), `DELETE preflight ${del.status}`);
  const evil = await request('OPTIONS', `${BASE}/s3/multipart`, { user: env.ALICE, headers: { Origin: 'http://evil.example',
    'Access-Control-Request-Method': 'POST' } });
  expectStatus(evil, 403, 'origin_not_allowed');
});

check('hostile: completing over max_size is refused (413) and the upload aborted', async () => {
  const u = await upload(v6, env.ALICE, 'huge.bin', 'application/octet-stream', [400 * KB], { section: 'tiny' });
  const done = await u.api.complete(env.ALICE, u.uploadId, u.key, u.parts);
  expectStatus(done, 413, 'too_large');
  expectStatus(await u.api.list(env.ALICE, u.uploadId, u.key), 404, 'no_such_upload');
  expect((await stored(u.key)) === null, 'an object was stored');
});

check('hostile: completing under min_size is refused (400 too_small) and the upload aborted', async () => {
  const u = await upload(v6, env.ALICE, 'tiny.bin', 'application/octet-stream', [100 * KB], { section: 'tiny' });
  const done = await u.api.complete(env.ALICE, u.uploadId, u.key, u.parts);
  expectStatus(done, 400, 'too_small');
  expectStatus(await u.api.list(env.ALICE, u.uploadId, u.key), 404, 'no_such_upload');
});

check('hostile: a part number out of range (0, 10001, past what max_size allows at 5 MiB parts): 400', async () => {
  const api = s3(v6, 'tiny');
  const c = await api.create(env.ALICE, 'range.bin', 'application/octet-stream');
  const { key, uploadId } = c.json;
  expectStatus(await api.sign(env.ALICE, uploadId, key, 2), 400, 'bad_request');
  expectStatus(await api.sign(env.ALICE, uploadId, key, 0), 400, 'bad_request');
  expectStatus(await api.sign(env.ALICE, uploadId, key, 10001), 400, 'bad_request');
  expectStatus(await api.batch(env.ALICE, uploadId, key, [1, 2]), 400, 'bad_request');
  expectStatus(await api.sign(env.ALICE, uploadId, key, 1), 200);
  expectStatus(await api.abort(env.ALICE, uploadId, key), 200);
});

check('hostile: a type the section does not take (or none) is refused before OSS is asked (415)', async () => {
  const api = s3(v6, 'video');
  expectStatus(await api.create(env.ALICE, 'page.html', 'text/html'), 415, 'type_not_allowed');
  expectStatus(await api.create(env.ALICE, 'clip.mp4', ''), 415, 'type_not_allowed');
  expectStatus(await api.params(env.ALICE, 'filename=clip.mp4'), 415, 'type_not_allowed');
  const ok = await api.create(env.ALICE, 'clip.mp4', 'video/mp4');
  expectStatus(ok, 200);
  expect(ok.json.key === 'video/alice/clip.mp4', `key ${ok.json.key}`);
  await api.abort(env.ALICE, ok.json.uploadId, ok.json.key);
});

check('hostile: another user\'s upload, with its key or one of their own: 403 upload_forbidden', async () => {
  const api = s3(v6, 'video');
  const c = await api.create(env.ALICE, 'mine.mp4', 'video/mp4');
  const { key, uploadId } = c.json;
  expectStatus(await api.sign(env.BOB, uploadId, key, 1), 403, 'upload_forbidden');
  expectStatus(await api.list(env.BOB, uploadId, 'video/bob/mine.mp4'), 403, 'upload_forbidden');
  expectStatus(await api.abort(env.BOB, uploadId, key), 403, 'upload_forbidden');
  expectStatus(await api.complete(env.BOB, uploadId, key, [{ PartNumber: 1, ETag: 'AA' }]), 403, 'upload_forbidden');
  expectStatus(await api.list(env.ALICE, uploadId, key), 200);
  await api.abort(env.ALICE, uploadId, key);
});

check('hostile: an uploadId bound to another key, another section, or a bare OSS UploadId: 403 / 400', async () => {
  const api = s3(v6);
  const c = await api.create(env.ALICE, 'bound.bin', 'application/octet-stream');
  const { key, uploadId } = c.json;
  expectStatus(await api.sign(env.ALICE, uploadId, 'big/other.bin', 1), 403, 'upload_forbidden');
  expectStatus(await s3(v6, 'tiny').sign(env.ALICE, uploadId, key, 1), 403, 'upload_forbidden');
  expectStatus(await api.sign(env.ALICE, uploadId.split('.')[0], key, 1), 400, 'bad_request');
  expectStatus(await api.abort(env.ALICE, uploadId, key), 200);
});

check('hostile: a part list that does not match OSS\'s (an ETag, a part missing or added): 400, upload kept', async () => {
  const u = await upload(v6, env.ALICE, 'mismatch.bin', 'application/octet-stream', [150 * KB, 150 * KB]);
  const bad = [{ PartNumber: 1, ETag: u.parts[0].ETag }, { PartNumber: 2, ETag: '00000000000000000000000000000000' }];
  expectStatus(await u.api.complete(env.ALICE, u.uploadId, u.key, bad), 400, 'invalid_part');
  expectStatus(await u.api.complete(env.ALICE, u.uploadId, u.key, u.parts.slice(0, 1)), 400, 'invalid_part');
  expectStatus(await u.api.complete(env.ALICE, u.uploadId, u.key, [...u.parts, { PartNumber: 3, ETag: 'AB' }]),
    400, 'invalid_part');
  const l = await u.api.list(env.ALICE, u.uploadId, u.key);
  expectStatus(l, 200);
  expectStatus(await u.api.complete(env.ALICE, u.uploadId, u.key, u.parts), 200);
});

check('forbid_overwrite: a second upload to the same key is refused by OSS (409 already_exists)', async () => {
  const u = await upload(v6, env.ALICE, 'once.bin', 'application/octet-stream', [1 * KB]);
  expectStatus(await u.api.complete(env.ALICE, u.uploadId, u.key, u.parts), 200);
  expectStatus(await s3(v6).create(env.ALICE, 'once.bin', 'application/octet-stream'), 409, 'already_exists');
});

check('a section without multipart = yes does not answer the s3 routes (404); bad bodies are 400', async () => {
  expectStatus(await s3(v6, 'small').params(env.ALICE, 'filename=a.txt'), 404, 'not_found');
  expectStatus(await s3(v6, 'small').create(env.ALICE, 'a.txt', 'text/plain'), 404, 'not_found');
  const noJson = await request('POST', `${BASE}/s3/multipart`, { user: env.ALICE, headers: { 'Content-Type': 'text/plain' },
    body: '{"filename":"a"}' });
  expectStatus(noJson, 400, 'bad_request');
  const garbage = await request('POST', `${BASE}/s3/multipart`, { user: env.ALICE,
    headers: { 'Content-Type': 'application/json' }, body: '{"filename":' });
  expectStatus(garbage, 400, 'bad_request');
});

check('multipart with an upload callback: Complete answers the callback\'s answer, one event spooled', async () => {
  expect(typeof env.SPOOL === 'string' && env.SPOOL !== '', 'SPOOL is not set');
  const before = fs.readdirSync(env.SPOOL).filter((f) => f.endsWith('.json')).length;
  const u = await upload(v6, env.ALICE, 'told.bin', 'application/octet-stream', [5 * MB, 200 * KB],
    { section: 'notify' });
  const done = await u.api.complete(env.ALICE, u.uploadId, u.key, u.parts);
  expectStatus(done, 200);
  expectOssign(done);
  expect(done.json.status === 'ok' && done.json.object === u.key && /^[0-9a-f]{64}$/.test(done.json.event),
    `complete: not the callback route's answer: ${JSON.stringify(done.json)}`);
  const files = fs.readdirSync(env.SPOOL).filter((f) => f.endsWith('.json'));
  expect(files.length === before + 1, `${files.length - before} events spooled, not 1`);
  const ev = JSON.parse(fs.readFileSync(path.join(env.SPOOL, `${done.json.event}.json`), 'utf8'));
  expect(JSON.stringify(ev).includes(u.key), `the event does not name ${u.key}`);
  const obj = await stored(u.key);
  expect(obj && obj.body.equals(u.bytes), 'the object is not the parts joined');
});

async function main() {
  if (process.argv[2] === '--count') {
    process.stdout.write(`${CHECKS.length}\n`);
    return;
  }
  for (const c of CHECKS) {
    try {
      await c.fn();
      process.stdout.write(`ok ${c.name}\n`);
    } catch (e) {
      const why = e instanceof Fail ? e.message : (e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : String(e));
      process.stdout.write(`not ok ${c.name}: ${why.replace(/\n/g, ' ')}\n`);
    }
  }
}

main();
