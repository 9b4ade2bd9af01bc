'use strict';
/*
 * tests/attack-fields.test.js: the attack table.  A hostile browser holds a real signature from
 * ossign (the binary: `ossign sign`, credentials from the STS emulator through ram_role_arn with
 * session_policy = auto, the recommended least-privilege role) and adds form fields of its own,
 * or changes the ones it was given.  The OSS emulator (tests/emu/oss.js, which follows OSS's
 * rules: a field no condition names takes effect) says what happens, and what it stored is read
 * back through its admin route.  Each row runs in prefix mode (no filename: the policy pins the
 * key with starts-with and the page picks the name) and in exact-key mode (filename and
 * content_type sent: the key and the type are pinned with eq).
 *
 *   node --test --test-reporter=tap tests/attack-fields.test.js
 *   OSSIGN=old/src/ossign ATTACK_EXPECT=today node --test ...   (the policy before issue 9)
 *
 * Outcomes: refused by the policy (AccessDenied 0006-00000226: a pinned field is missing,
 * 0006-00000227: its value differs), refused by the role (AccessDenied 0003-00000301: the session
 * policy does not allow what the field needs), or stored (and what was stored is checked; the
 * emulator runs with a test callback key, so a `callback` field makes it call back as OSS does:
 * a section without callback_url pins none, a section with one pins `callback` and ossign's
 * x:ossign_* variables, issue 10).  Two columns: `today` is what the policy ossign
 * built before issue 9 allows (checked with that binary: ATTACK_EXPECT=today), `now` what this
 * tree's policy allows (the default).  Rows that need a configuration key the old binary does
 * not know have no `today`.  The honest page's baseline follows the README of each: in prefix
 * mode with content_types it adds the file's Content-Type (and, `now`, x-oss-content-type too).
 * Skips (TAP "1..0 # SKIP") without node_modules, openssl or the ossign binary.
 */

const path = require('node:path');
const fs = require('node:fs');

const TOP = path.join(__dirname, '..');
const OSSIGN = process.env.OSSIGN || path.join(TOP, 'src', 'ossign');
const COLUMN = process.env.ATTACK_EXPECT || 'now';
const skipWhy = !fs.existsSync(path.join(TOP, 'node_modules', '@alicloud', 'openapi-util')) ? 'node_modules missing'
  : !fs.existsSync(OSSIGN) ? `no ossign binary at ${OSSIGN}`
    : require('node:child_process').spawnSync('openssl', ['version']).status !== 0 ? 'no openssl (tests/lib/mkca.sh)'
    : !['today', 'now'].includes(COLUMN) ? 'ATTACK_EXPECT must be today or now' : null;
if (skipWhy) {
  if (process.env.NODE_TEST_CONTEXT) require('node:test')('attack table', { skip: skipWhy }, () => {});
  else process.stdout.write(`1..0 # SKIP ${skipWhy}\n`);
  return;
}

const test = require('node:test');
const { before, after } = test;
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const os = require('node:os');
const { spawn, spawnSync, execFileSync } = require('node:child_process');

const BUCKET = 'ossign-test';
const ROLE = 'acs:ram::1234567890123456:role/ossign-test';

/* ------------------------------------------------------------------ the emulators */

const procs = [];
let T;
let ossUrl;
let stsUrl;

// Start a child; resolve with the first stdout line matching re.
function startChild(name, args, re) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const p = { name, child, out: '', err: '' };
  procs.push(p);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { p.err += d; });
  child.stdout.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${p.err}`)), 20000);
    child.stdout.on('data', (d) => {
      p.out += d;
      const m = re.exec(p.out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', () => reject(new Error(`${name} exited: ${p.err}`)));
  });
}

// A config for credentials = ram_role_arn against the emulators, with these [upload] sections.
function writeConf(name, sections, extra = '') {
  const f = path.join(T, `${name}.conf`);
  fs.writeFileSync(f, `bucket = ${BUCKET}\nregion = cn-hangzhou\nhost = ${ossUrl}\n` +
    `credentials = ram_role_arn\nrole_arn = ${ROLE}\nrole_session_name = ossign-attack\n` +
    `access_key_file = ${T}/access_key\nsts_endpoint = ${stsUrl}\nca_file = ${T}/ca/ca.pem\n` +
    `cache_dir = ${T}/cache\nconnect_timeout = 2\ntimeout = 5\n${extra}\n${sections}`);
  return f;
}

/*
 * For tests/zz-secrets-scan.sh: the secrets (tokens: "token:" lines) this run made, in
 * $top_builddir/tests/secrets.d/, and the logs it kept, in $top_builddir/tests/artifacts/.
 */
const BUILD = process.env.top_builddir || null;
function registerSecrets(list, tokens = false) {
  if (!BUILD) return;
  const d = path.join(BUILD, 'tests', 'secrets.d');
  fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  fs.appendFileSync(path.join(d, 'attack-fields.txt'), list.map((x) => `${tokens ? 'token:' : ''}${x}\n`).join(''),
    { mode: 0o600 });
}
const ossignLog = [];

before(async () => {
  T = fs.mkdtempSync(path.join(os.tmpdir(), 'ossign-attack-'));
  execFileSync('sh', [path.join(TOP, 'tests', 'lib', 'mkca.sh'), path.join(T, 'ca')], { stdio: 'ignore' });
  const state = path.join(T, 'state');
  fs.mkdirSync(state);
  const akid = `LTAI${crypto.randomBytes(10).toString('hex').toUpperCase()}`;
  const secret = crypto.randomBytes(24).toString('base64').replace(/[/+=]/g, 'x');
  fs.writeFileSync(path.join(state, 'accounts.json'), JSON.stringify([{ AccessKeyId: akid, AccessKeySecret: secret }]),
    { mode: 0o600 });
  fs.writeFileSync(path.join(T, 'access_key'), `${akid}\n${secret}\n`, { mode: 0o600 });
  registerSecrets([secret]);
  const sts = await startChild('sts', [path.join(TOP, 'tests', 'emu', 'sts.js'), '--state', state, '--port', '0',
    '--http-port', '0', '--cert', path.join(T, 'ca', 'server.pem'), '--key', path.join(T, 'ca', 'server-key.pem')],
  /^listening (\d+) (\d+)\n/);
  stsUrl = `https://127.0.0.1:${sts[1]}`;
  // OSS's upload callbacks, signed with a test key (tests/emu/oss-callback.js).
  execFileSync('openssl', ['genrsa', '-out', path.join(T, 'cbkey.pem'), '2048'], { stdio: 'ignore' });
  const oss = await startChild('oss', [path.join(TOP, 'tests', 'emu', 'oss.js'), '--state', state, '--port', '0',
    '--bucket', BUCKET, '--callback-key', path.join(T, 'cbkey.pem')], /^listening (\d+)\n/);
  ossUrl = `http://127.0.0.1:${oss[1]}`;
});


after(async () => {
  for (const p of procs) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      const gone = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGTERM');
      await gone;
    }
  }
  if (T) {
    const issued = path.join(T, 'state', 'issued');
    for (const f of fs.existsSync(issued) ? fs.readdirSync(issued) : []) {
      const e = JSON.parse(fs.readFileSync(path.join(issued, f), 'utf8'));
      registerSecrets([e.AccessKeySecret]);
      registerSecrets([e.SecurityToken], true);
    }
  }
  if (BUILD) {
    const a = path.join(BUILD, 'tests', 'artifacts', 'attack-fields');
    fs.mkdirSync(a, { recursive: true });
    for (const p of procs) fs.writeFileSync(path.join(a, `${p.name}.log`), p.err);
    fs.writeFileSync(path.join(a, 'ossign.log'), ossignLog.join(''));
  }
  if (T && !process.env.TEST_KEEP) fs.rmSync(T, { recursive: true, force: true });
});

/* ------------------------------------------------------------------ the honest page, and the attacker */

const wrap = (process.env.OSSIGN_WRAP || '').split(/\s+/).filter(Boolean);

// ossign's answer for upload `up` of config `conf`; exact mode names the file and its type.
function sign(conf, up, mode, name, type) {
  const args = ['-c', conf, 'sign', '--upload', up];
  if (mode === 'exact') args.push('--filename', name, '--content-type', type, '--size', '64');
  const argv = [...wrap, OSSIGN, ...args];
  const r = spawnSync(argv[0], argv.slice(1),
    { env: { PATH: process.env.PATH }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  ossignLog.push(r.stderr);
  assert.equal(r.status, 0, `ossign sign failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/*
 * The form an honest page sends for this answer (fields in order, key = dir + name in prefix
 * mode, the file's type where the README of `column` says the page adds it), changed by the
 * row: set [[name, value]] replaces a field (case-insensitively) or adds it, drop [names]
 * removes fields.  Returns [[name, value]].
 */
function formFor(sig, name, type, row) {
  const fields = [];
  if (sig.fields.key === undefined) fields.push(['key', `${sig.dir}${name}`]);
  for (const [k, v] of Object.entries(sig.fields)) fields.push([k, v]);
  if (sig.fields.key === undefined && Array.isArray(sig.content_types)) {
    fields.push(['Content-Type', type]);
    if (COLUMN === 'now') fields.push(['x-oss-content-type', type]);
  }
  const drop = new Set((row.drop || []).map((n) => n.toLowerCase()));
  const out = fields.filter(([k]) => !drop.has(k.toLowerCase()));
  for (const [k, v] of row.set || []) {
    const i = out.findIndex(([n]) => n.toLowerCase() === k.toLowerCase());
    if (i >= 0) out[i] = [out[i][0], v];
    else out.push([k, v]);
  }
  return out;
}

async function anon(method, key, body, headers = {}) {
  const r = await fetch(`${ossUrl}/${key.split('/').map(encodeURIComponent).join('/')}`, { method, body, headers });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

async function storedObject(key) {
  const r = await fetch(`${ossUrl}/_emu/objects?prefix=${encodeURIComponent(key)}`);
  return (await r.json()).objects.find((o) => o.key === key) || null;
}

/* ------------------------------------------------------------------ outcomes */

const xml = (text, tag) => ((new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text) || [])[1] || null);
const byPolicy = (ec) => ({ kind: 'refused', by: 'the policy', ec });
const byRole = () => ({ kind: 'refused', by: 'the role', ec: '0003-00000301' });
// stored(what, check): check(object, result) is true when what was stored is as described.
const stored = (what, check) => ({ kind: 'stored', what, check });
const typeIs = (t) => (o) => o.content_type === t;
const harmless = (what, check) => stored(`${what}; the type stays pinned`, (o, r) => check(o, r) && r.typeOk(o));

// A callback field of the browser's own, to a port nothing listens on (OSS then answers 203).
const EVIL_CALLBACK = Buffer.from(JSON.stringify({ callbackUrl: 'http://127.0.0.1:1/evil',
  callbackBody: 'bucket=${bucket}&object=${object}' })).toString('base64');
const CALLED_ITS_OWN = 'OSS calls the browser\'s own URL, 203 when it fails; ossign refuses such a callback ' +
  'without a ticket (README, "Callbacks")';
const calledBack = (o, r) => r.status === 203 && /<Code>CallbackFailed<\/Code>/.test(r.text);

/*
 * The rows.  group: which configuration and section; set/drop/part: what the attacker changes;
 * today/now: the outcome with each policy (absent: the row needs a key the old binary lacks).
 */
const PNG = 'image/png';
const ROWS = [
  // The [upload images] section: content_types image/png image/jpeg, forbid_overwrite,
  // success_action_status 200, x-oss-meta-source pinned; configuration keys the old binary knows.
  { group: 'images', field: 'x-oss-content-type: text/html (Content-Type field image/png)',
    set: [['x-oss-content-type', 'text/html']],
    today: stored('an HTML page in an images-only upload', typeIs('text/html')), now: byPolicy('0006-00000227') },
  { group: 'images', field: 'the HTML file itself (its part typed text/html by the browser)', part: 'text/html',
    today: stored('an HTML page: the part outranks the Content-Type field', typeIs('text/html')),
    now: stored('image/png: x-oss-content-type outranks the part', typeIs(PNG)) },
  { group: 'images', field: 'the HTML file without x-oss-content-type', part: 'text/html', drop: ['x-oss-content-type'],
    today: stored('an HTML page', typeIs('text/html')), now: byPolicy('0006-00000226') },
  { group: 'images', field: 'Content-Type: text/html', set: [['Content-Type', 'text/html']],
    today: byPolicy('0006-00000227'), now: byPolicy('0006-00000227') },
  { group: 'images', field: 'x-oss-object-acl: public-read', set: [['x-oss-object-acl', 'public-read']],
    today: stored('readable by anyone without a signature', async (o, r) => (await anon('GET', r.key)).status === 200),
    now: byPolicy('0006-00000227') },
  { group: 'images', field: 'x-oss-object-acl: public-read-write', set: [['x-oss-object-acl', 'public-read-write']],
    today: stored('anyone can replace it, unsigned, with an HTML page', async (o, r) => {
      const put = await anon('PUT', r.key, '<script>alert(1)</script>', { 'content-type': 'text/html', 'x-oss-object-acl': 'public-read-write' });
      const got = await anon('GET', r.key);
      return put.status === 200 && got.type === 'text/html';
    }),
    now: byPolicy('0006-00000227') },
  { group: 'images', field: 'acl: public-read (the field OSS also reads for the ACL)', set: [['acl', 'public-read']],
    today: stored('readable by anyone without a signature', async (o, r) => (await anon('GET', r.key)).status === 200),
    now: byPolicy('0006-00000227') },
  { group: 'images', field: 'Content-Disposition: attachment; filename="invoice.pdf.exe"',
    set: [['Content-Disposition', 'attachment; filename="invoice.pdf.exe"']],
    today: harmless('the download is renamed', (o) => o.headers['content-disposition'] === 'attachment; filename="invoice.pdf.exe"'),
    now: harmless('the download is renamed (content_disposition pins it)', (o) => o.headers['content-disposition'] === 'attachment; filename="invoice.pdf.exe"') },
  { group: 'images', field: 'Cache-Control: public, max-age=31536000', set: [['Cache-Control', 'public, max-age=31536000']],
    today: harmless('cached for a year', (o) => o.headers['cache-control'] === 'public, max-age=31536000'),
    now: harmless('cached for a year (cache_control pins it)', (o) => o.headers['cache-control'] === 'public, max-age=31536000') },
  { group: 'images', field: 'Content-Encoding: gzip', set: [['Content-Encoding', 'gzip']],
    today: harmless('decoded by the browser', (o) => o.headers['content-encoding'] === 'gzip'),
    now: harmless('decoded by the browser', (o) => o.headers['content-encoding'] === 'gzip') },
  { group: 'images', field: 'Expires: Thu, 01 Jan 2099 00:00:00 GMT', set: [['Expires', 'Thu, 01 Jan 2099 00:00:00 GMT']],
    today: harmless('a cache hint', (o) => o.headers.expires === 'Thu, 01 Jan 2099 00:00:00 GMT'),
    now: harmless('a cache hint', (o) => o.headers.expires === 'Thu, 01 Jan 2099 00:00:00 GMT') },
  { group: 'images', field: 'x-oss-storage-class: ColdArchive', set: [['x-oss-storage-class', 'ColdArchive']],
    today: harmless('unreadable until restored', (o) => o.storage_class === 'ColdArchive'),
    now: harmless('unreadable until restored (storage_class pins it)', (o) => o.storage_class === 'ColdArchive') },
  { group: 'images', field: 'x-oss-server-side-encryption: KMS', set: [['x-oss-server-side-encryption', 'KMS']],
    today: byRole(), now: byRole() },
  { group: 'images', field: 'x-oss-server-side-encryption: KMS with the attacker\'s key id',
    set: [['x-oss-server-side-encryption', 'KMS'], ['x-oss-server-side-encryption-key-id', 'attacker-key']],
    today: byRole(), now: byRole() },
  { group: 'images', field: 'x-oss-server-side-encryption: AES256', set: [['x-oss-server-side-encryption', 'AES256']],
    today: harmless('encrypted at rest by OSS, read as usual', (o) => o.sse === 'AES256'),
    now: harmless('encrypted at rest by OSS, read as usual', (o) => o.sse === 'AES256') },
  { group: 'images', field: 'x-oss-tagging: public=yes', set: [['x-oss-tagging', 'public=yes']],
    today: byRole(), now: byRole() },
  { group: 'images', field: 'x-oss-meta-owner: admin (metadata no key pins)', set: [['x-oss-meta-owner', 'admin']],
    today: harmless('stored as metadata', (o) => o.meta['x-oss-meta-owner'] === 'admin'),
    now: harmless('stored as metadata', (o) => o.meta['x-oss-meta-owner'] === 'admin') },
  { group: 'images', field: 'x-oss-meta-source: evil (pinned by x-oss-meta-source)', set: [['x-oss-meta-source', 'evil']],
    today: byPolicy('0006-00000227'), now: byPolicy('0006-00000227') },
  { group: 'images', field: 'success_action_status: 201 (pinned: 200)', set: [['success_action_status', '201']],
    today: byPolicy('0006-00000227'), now: byPolicy('0006-00000227') },
  { group: 'images', field: 'x-oss-forbid-overwrite: false (pinned: true)', set: [['x-oss-forbid-overwrite', 'false']],
    today: byPolicy('0006-00000227'), now: byPolicy('0006-00000227') },
  { group: 'images', field: 'success_action_redirect: https://evil.example/phish',
    set: [['success_action_redirect', 'https://evil.example/phish']],
    today: harmless('the uploader\'s own browser is redirected (303)', (o, r) => r.status === 303 && /^https:\/\/evil\.example\/phish\?/.test(r.location)),
    now: harmless('the uploader\'s own browser is redirected (303)', (o, r) => r.status === 303 && /^https:\/\/evil\.example\/phish\?/.test(r.location)) },
  { group: 'images', field: 'callback: to a URL of the browser\'s (no callback_url: nothing pinned)',
    set: [['callback', EVIL_CALLBACK]],
    today: harmless(CALLED_ITS_OWN, calledBack), now: harmless(CALLED_ITS_OWN, calledBack) },
  { group: 'images', field: 'x:owner: evil (a callback variable)', set: [['x:owner', 'evil']],
    today: harmless('nothing of it is stored', (o) => JSON.stringify(o).indexOf('evil') < 0),
    now: harmless('nothing of it is stored', (o) => JSON.stringify(o).indexOf('evil') < 0) },
  { group: 'images', field: 'key: img2/x.png (outside the prefix img/)', set: [['key', 'img2/x.png']],
    today: byPolicy('0006-00000227'), now: byPolicy('0006-00000227') },

  // [upload docs]: every new key set (content_disposition, cache_control, storage_class,
  // object_acl = private); the old binary cannot load it.
  { group: 'docs', field: '(nothing changed: the honest page)',
    now: stored('with the configured headers, class and ACL', (o) => o.headers['content-disposition'] === 'attachment' &&
      o.headers['cache-control'] === 'private, max-age=600' && o.storage_class === 'IA' && o.acl === 'private' &&
      o.content_type === 'application/pdf') },
  { group: 'docs', field: 'Content-Disposition: inline', set: [['Content-Disposition', 'inline']], now: byPolicy('0006-00000227') },
  { group: 'docs', field: 'no Content-Disposition (a page that leaves a pinned field out)', drop: ['Content-Disposition'],
    now: byPolicy('0006-00000226') },
  { group: 'docs', field: 'Cache-Control: public, max-age=31536000', set: [['Cache-Control', 'public, max-age=31536000']],
    now: byPolicy('0006-00000227') },
  { group: 'docs', field: 'x-oss-storage-class: ColdArchive', set: [['x-oss-storage-class', 'ColdArchive']],
    now: byPolicy('0006-00000227') },
  { group: 'docs', field: 'x-oss-object-acl: public-read', set: [['x-oss-object-acl', 'public-read']],
    now: byPolicy('0006-00000227') },

  // [upload classic]: object_acl = any and no content_types, what a page that sends only the
  // vendor guide's fields needs: the policy leaves the ACL (and, with no type declared, the type)
  // to the browser, so the bucket or the role must stop public ACLs: session_policy = auto
  // carries OSS's "prevent public ACLs" Deny (issue 12), so the role does.
  { group: 'classic', field: 'x-oss-object-acl: public-read', set: [['x-oss-object-acl', 'public-read']],
    now: byRole() },
  { group: 'classic', field: 'acl: public-read-write', set: [['acl', 'public-read-write']], now: byRole() },
  { group: 'classic', field: 'x-oss-content-type: text/html', set: [['x-oss-content-type', 'text/html']],
    now: { prefix: stored('an HTML page: without content_types every type is allowed', typeIs('text/html')),
      exact: byPolicy('0006-00000227') } },
  { group: 'classic-role', field: 'x-oss-object-acl: public-read', set: [['x-oss-object-acl', 'public-read']],
    now: byRole() },
  { group: 'classic-role', field: 'acl: public-read', set: [['acl', 'public-read']], now: byRole() },
  { group: 'classic-role', field: '(nothing changed: the honest page)', now: stored('with the bucket\'s ACL', (o) => o.acl === 'default') },

  // [upload notify]: callback_url (issue 10): the callback field and ossign's variables pinned.
  { group: 'notify', field: '(nothing changed: the honest page)',
    now: harmless('OSS calls ossign back (unreachable here: 203, stored)', calledBack) },
  { group: 'notify', field: 'callback: to a URL of the browser\'s', set: [['callback', EVIL_CALLBACK]],
    now: byPolicy('0006-00000227') },
  { group: 'notify', field: 'no callback (a page that leaves it out)', drop: ['callback'], now: byPolicy('0006-00000226') },
  { group: 'notify', field: 'x:ossign_key: another key', set: [['x:ossign_key', 'img/other.png']],
    now: byPolicy('0006-00000227') },
  { group: 'notify', field: 'x:ossign_user: admin', set: [['x:ossign_user', 'admin']], now: byPolicy('0006-00000227') },
  { group: 'notify', field: 'x:ossign_ticket: made up', set: [['x:ossign_ticket', `v1.${'0'.repeat(64)}`]],
    now: byPolicy('0006-00000227') },
  { group: 'notify', field: 'x:owner: evil (not in the body ossign asked for)', set: [['x:owner', 'evil']],
    now: harmless('nothing of it is stored', (o, r) => calledBack(o, r) && JSON.stringify(o).indexOf('evil') < 0) },
];

// Configurations: file name, sections (classic keys only: the old binary loads it too), extra.
const PDF = 'application/pdf';
// OSS's own statement against public objects (tests/emu/oss.js [RAM]), beside the upload grant.
const NO_PUBLIC = JSON.stringify({ Version: '1', Statement: [
  { Effect: 'Allow', Action: ['oss:PutObject'], Resource: [`acs:oss:*:*:${BUCKET}/classic/*`] },
  { Effect: 'Deny', Action: ['oss:PutObject'], Resource: [`acs:oss:*:*:${BUCKET}/*`],
    Condition: { StringEquals: { 'oss:x-oss-object-acl': ['public-read', 'public-read-write'] } } }] });
const CLASSIC = '[upload classic]\nkey_prefix = classic/\nmax_size = 65536\nsuccess_action_status = 200\nobject_acl = any\n';
const CONFS = {
  a: {
    sections: '[upload images]\nkey_prefix = img/\ncontent_types = image/png image/jpeg\nmax_size = 65536\n' +
      'forbid_overwrite = yes\nsuccess_action_status = 200\nx-oss-meta-source = web\n',
    extra: 'session_policy = auto',
  },
  b: {
    sections: '[upload docs]\nkey_prefix = docs/\ncontent_types = application/pdf\nmax_size = 65536\n' +
      'content_disposition = attachment\ncache_control = private, max-age=600\nstorage_class = IA\n' +
      `object_acl = private\n${CLASSIC}`,
    extra: 'session_policy = auto',
  },
  c: { sections: CLASSIC, extra: `session_policy = ${NO_PUBLIC}` },
  d: {
    sections: '[upload notify]\nkey_prefix = img/\ncontent_types = image/png image/jpeg\nmax_size = 65536\n' +
      'callback_url = http://127.0.0.1:1/ossign/callback\ncallback_insecure = yes\n',
    extra: 'session_policy = auto',
  },
};
const GROUPS = {
  images: { conf: 'a', upload: 'images', type: PNG, typeOk: typeIs(PNG) },
  docs: { conf: 'b', upload: 'docs', type: PDF, typeOk: typeIs(PDF) },
  classic: { conf: 'b', upload: 'classic', type: PNG, typeOk: typeIs(PNG) },
  'classic-role': { conf: 'c', upload: 'classic', type: PNG, typeOk: typeIs(PNG) },
  notify: { conf: 'd', upload: 'notify', type: PNG, typeOk: typeIs(PNG) },
};

/* ------------------------------------------------------------------ the table */

const confFiles = {};
const summary = [];
let seq = 0;

async function attempt(row, mode) {
  const g = GROUPS[row.group];
  if (!confFiles[g.conf]) confFiles[g.conf] = writeConf(g.conf, CONFS[g.conf].sections, CONFS[g.conf].extra);
  const name = `r${++seq}-${crypto.randomBytes(3).toString('hex')}.${g.type === PNG ? 'png' : 'pdf'}`;
  const sig = sign(confFiles[g.conf], g.upload, mode, name, g.type);
  const fields = formFor(sig, name, g.type, row);
  const form = new FormData();
  for (const [k, v] of fields) form.append(k, v);
  const part = row.part || g.type;
  form.append('file', new Blob([Buffer.from(`<html><body>row ${seq}</body></html>\n`)], { type: part }), name);
  const res = await fetch(sig.host, { method: 'POST', body: form, redirect: 'manual' });
  const text = await res.text();
  const key = fields.find(([k]) => k === 'key')[1];
  return { status: res.status, text, key, location: res.headers.get('location'), typeOk: g.typeOk,
    object: await storedObject(key) };
}

async function judge(want, r) {
  const code = xml(r.text, 'Code');
  const ec = xml(r.text, 'EC');
  if (want.kind === 'refused') {
    return [r.status === 403 && code === 'AccessDenied' && ec === want.ec && r.object === null,
      `refused by ${want.by} (${want.ec})`];
  }
  return [r.status < 400 && r.object !== null && await want.check(r.object, r), `stored: ${want.what}`];
}

for (const row of ROWS) {
  for (const mode of ['prefix', 'exact']) {
    const want = row[COLUMN] && !row[COLUMN].kind ? row[COLUMN][mode] : row[COLUMN];
    const title = `${row.group}/${mode}: ${row.field}`;
    if (!want) {
      test(title, { skip: `no ${COLUMN} outcome: the row needs a key the ${COLUMN} policy lacks` }, () => {});
      continue;
    }
    test(title, async () => {
      const r = await attempt(row, mode);
      const [pass, said] = await judge(want, r);
      summary.push(`${row.group}/${mode} | ${row.field} | ${said}`);
      assert.ok(pass, `${title}: expected ${said}; got ${r.status} ${xml(r.text, 'Code') || ''} ` +
        `${xml(r.text, 'EC') || ''} ${r.object ? JSON.stringify(r.object) : '(nothing stored)'}`);
    });
  }
}

test('the table, as the emulator saw it', (t) => {
  for (const line of summary) t.diagnostic(line);
  assert.ok(summary.length > 0);
});
