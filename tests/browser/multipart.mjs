/*
 * tests/browser/multipart.mjs: large files in Chromium (issue 12), through
 * nginx and ossign's Uppy Companion S3 routes (/ossign/NAME/s3/...) to the
 * OSS emulator, on the stack tests/browser.sh started:
 *   - www/uppy.html with Uppy 6.x (uppy/, companionEndpoint) and 5.x
 *     (uppy5/, endpoint): a small file by Uppy's form POST (s3/params), a
 *     64 MiB one in parts (?parts=always: shouldUseMultipart true);
 *   - www/index.html (multipart.js): a file above a lowered threshold in a
 *     section without multipart goes by form POST; 64 MiB in parts; one
 *     held back part by part (page.route), paused, resumed, then the page
 *     reloaded and the same file picked again: the parts on OSS are listed
 *     and only the missing ones sent; one cancelled with parts on OSS.
 * Every object stored is checked: size, SHA-256, key under the section's
 * prefix, content type.  Output as upload.mjs's ("ok ID - what"; browser.sh
 * holds the plan), plus "# time STEP: N ms" per step.
 *
 * Environment (set by tests/browser.sh): STACK_URL, STACK_OSS_URL, ART,
 * PROFILE_DIR (a fresh Chromium profile), CHROMIUM, BIG_DIR (one 64 MiB
 * file, hard-linked as big6.mp4, big5.mp4, page.mp4, resume.mp4,
 * cancel.mp4), OSS_LOG
 * (the OSS emulator's log: one line per request it answered).
 * Sections (tests/browser/uploads.conf): [upload uppy] (uppy/...) and
 * [upload parts] (parts/...), multipart = yes, 128 MiB, text/plain and
 * video/mp4; [upload browser] (browser/..., no multipart, 1 MiB).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bucket, check, launch, need, step, until } from './common.mjs';

const PAGE_URL = need('STACK_URL');
const OSS_URL = need('STACK_OSS_URL');
const ART = need('ART');
const PROFILE = need('PROFILE_DIR');
const BIG_DIR = need('BIG_DIR');
const OSS_LOG = need('OSS_LOG');
const MIB = 1024 * 1024;
const BIG = fs.readFileSync(path.join(BIG_DIR, 'big6.mp4'));
const PARTS = Math.ceil(BIG.length / (5 * MIB));	/* Uppy's and the page's 5 MiB parts */
const WAIT_MS = 60000;			/* for one 64 MiB upload */
const THRESHOLD = 32 * MIB;		/* the page's lowered threshold */
const oss = bucket(OSS_URL);
const state = { rc: 0 };
const pageErrors = [];
const failures = [];	/* requests that got no answer (aborted ones too) */

function textBytes(seed, n) {
	const out = [];
	let size = 0;
	for (let i = 0; size < n; i++) {
		const l = `${seed} ${i} ${crypto.createHash('sha256').update(seed + i).digest('hex')}\n`;
		out.push(l);
		size += l.length;
	}
	return Buffer.from(out.join(''), 'utf8');
}

/* Every request a page makes, as "METHOD where" with ids and queries cut. */
function watch(page, label) {
	const seen = [];
	page.on('pageerror', (e) => pageErrors.push(`${label}: ${e.message}`));
	page.on('requestfailed', (r) => failures.push(`${label}: ${r.method()} ${r.url().split('?')[0]} ` +
	    `${new URL(r.url()).searchParams.get('partNumber') || ''}: ${r.failure() && r.failure().errorText}`));
	page.on('request', (r) => {
		const u = new URL(r.url());
		seen.push({ method: r.method(), url: u, where: u.origin === OSS_URL ? 'oss' : 'site',
		    path: u.pathname.replace(/\/s3\/multipart\/[^/]+/, '/s3/multipart/ID') });
	});
	return seen;
}

function count(seen, method, re) {
	return seen.filter((r) => r.method === method && re.test(r.path)).length;
}

/* The emulator's log lines "PUT /KEY 200": parts it took for that key. */
function partsTaken(key) {
	const log = fs.readFileSync(OSS_LOG, 'utf8');
	return log.split('\n').filter((l) => l.startsWith(`oss-emu: PUT /${key} 200 `)).length;
}

async function shot(page, name) {
	await page.screenshot({ path: path.join(ART, name), fullPage: true });
}

/* ---- www/uppy.html -------------------------------------------------------- */

async function openUppy(ctx, gen, query) {
	const page = await ctx.newPage();
	const seen = watch(page, `uppy${gen}`);
	await page.goto(`${PAGE_URL}/uppy.html?upload=uppy${gen === 5 ? '&uppy=5' : ''}${query}`);
	await page.waitForFunction(() => window.ossignUppy, null, { timeout: 10000 });
	return { page, seen };
}

/* Add one file to the Dashboard, press its Upload button, wait for the result line. */
async function uppyUpload(page, file) {
	await page.setInputFiles('input[type=file].uppy-Dashboard-input >> nth=0', file);
	await page.click('.uppy-StatusBar-actionBtn--upload');
	const name = typeof file === 'string' ? path.basename(file) : file.name;
	const li = page.locator(`#done li[data-name=${JSON.stringify(name)}]`);
	await li.waitFor({ timeout: WAIT_MS });
	return li.locator('.status').textContent();
}

async function uppy(ctx, gen) {
	const id = `uppy${gen}`;
	const small = textBytes(`small ${gen}`, 200 * 1024);
	const s = await openUppy(ctx, gen, '');
	const info = await s.page.evaluate(() => ({ generation: window.ossignUppy.generation,
	    version: window.ossignUppy.version, options: Object.keys(window.ossignUppy.options) }));
	const option = gen === 6 ? 'companionEndpoint' : 'endpoint';
	const bundle = s.seen.some((r) => r.method === 'GET' && r.path === `/${gen === 6 ? 'uppy' : 'uppy5'}/uppy.min.js`);
	check(`${id}.loaded`, info.generation === gen && bundle && info.options.includes(option),
	    `uppy.html${gen === 5 ? '?uppy=5' : ''} runs @uppy/aws-s3 ${gen}.x from the local bundle, ` +
	    `with ${option}`, { info, bundle });

	const said = await uppyUpload(s.page, { name: `small${gen}.txt`, mimeType: 'text/plain', buffer: small });
	const params = count(s.seen, 'GET', /^\/ossign\/uppy\/s3\/params$/);
	const mp = s.seen.filter((r) => r.path.startsWith('/ossign/uppy/s3/multipart')).length;
	const posts = s.seen.filter((r) => r.where === 'oss' && r.method === 'POST').length;
	check(`${id}.small`, said.startsWith('Saved as uppy/') && params === 1 && mp === 0 && posts === 1,
	    'a 200 KiB file goes by one form POST signed through s3/params', { said, params, mp, posts });
	const hs = await oss.holds(`uppy/small${gen}.txt`, small, 'text/plain', 'uppy/');
	check(`${id}.small-stored`, hs.pass, 'stored as uppy/NAME, text/plain, the bytes sent', hs.why);
	await shot(s.page, `${id}-small.png`);
	await s.page.close();

	const b = await openUppy(ctx, gen, '&parts=always');
	const t0 = Date.now();
	const saidBig = await uppyUpload(b.page, path.join(BIG_DIR, `big${gen}.mp4`));
	const ms = Date.now() - t0;
	const create = count(b.seen, 'POST', /^\/ossign\/uppy\/s3\/multipart$/);
	const puts = b.seen.filter((r) => r.where === 'oss' && r.method === 'PUT').length;
	const complete = count(b.seen, 'POST', /^\/ossign\/uppy\/s3\/multipart\/ID\/complete$/);
	const bparams = count(b.seen, 'GET', /\/s3\/params$/);
	check(`${id}.parts`, saidBig.startsWith('Saved as uppy/') && create === 1 && puts === PARTS &&
	    complete === 1 && bparams === 0 && partsTaken(`uppy/big${gen}.mp4`) === PARTS,
	    `64 MiB with shouldUseMultipart: true: one create, ${PARTS} parts PUT to OSS, one complete ` +
	    `(${ms} ms)`, { saidBig, create, puts, complete, bparams, taken: partsTaken(`uppy/big${gen}.mp4`) });
	const hb = await oss.holds(`uppy/big${gen}.mp4`, BIG, 'video/mp4', 'uppy/');
	const left = (await oss.uploads()).filter((u) => u.key === `uppy/big${gen}.mp4`).length;
	check(`${id}.parts-stored`, hb.pass && left === 0,
	    'stored as uppy/NAME, video/mp4, the 64 MiB sent; no upload left in progress', { why: hb.why, left });
	await shot(b.page, `${id}-parts.png`);
	await b.page.close();
}

/* ---- www/index.html -------------------------------------------------------- */

/* index.html for a section, with the multipart threshold lowered (both read when needed). */
async function openIndex(ctx, section, threshold) {
	const page = await ctx.newPage();
	const seen = watch(page, `index ${section}`);
	await page.goto(PAGE_URL + '/');
	await configure(page, section, threshold);
	return { page, seen };
}

async function configure(page, section, threshold) {
	await page.evaluate(([s, t]) => {
		document.getElementById('uploader').setAttribute('data-upload', s);
		const m = document.createElement('meta');
		m.name = 'ossign-multipart-threshold';
		m.content = String(t);
		document.head.appendChild(m);
	}, [section, threshold]);
}

function rowSel(name) {
	return `li.file[data-name=${JSON.stringify(name)}]`;
}

async function settle(page, name) {
	const row = page.locator(rowSel(name));
	await page.locator(rowSel(name) + ':is([data-state="done"],[data-state="error"],[data-state="cancelled"])')
	    .waitFor({ timeout: WAIT_MS });
	return row.evaluate((li) => ({ state: li.getAttribute('data-state'), error: li.getAttribute('data-error'),
	    status: li.querySelector('.status').textContent, key: li.querySelector('.key').textContent,
	    value: li.querySelector('progress').value }));
}

/* A section without multipart: above the threshold, s3/multipart says 404, the form POST goes. */
async function fallback(ctx) {
	const { page, seen } = await openIndex(ctx, 'browser', 100 * 1024);
	const bytes = textBytes('fallback', 300 * 1024);
	const answers = [];
	page.on('response', (r) => {
		if (r.url().includes('/s3/multipart'))
			answers.push(r.status());
	});
	await page.setInputFiles('#file-input', { name: 'fallback.txt', mimeType: 'text/plain', buffer: bytes });
	const f = await settle(page, 'fallback.txt');
	const posts = seen.filter((r) => r.where === 'oss' && r.method === 'POST').length;
	const hs = await oss.holds('browser/fallback.txt', bytes, 'text/plain', 'browser/');
	check('page.fallback', f.state === 'done' && JSON.stringify(answers) === '[404]' && posts === 1 && hs.pass,
	    'above the threshold in a section without multipart: s3/multipart answers 404, one form POST stores it',
	    { f, answers, posts, why: hs.why });
	await page.close();
}

/* 64 MiB in parts from the page; the bar moves with the parts. */
async function pageParts(ctx) {
	const { page, seen } = await openIndex(ctx, 'parts', THRESHOLD);
	await page.evaluate(() => {
		window.__bars = [];
		new MutationObserver(() => {
			const li = document.querySelector('li.file');
			if (li)
				window.__bars.push([li.getAttribute('data-state'), li.querySelector('progress').value]);
		}).observe(document.getElementById('file-list'), { subtree: true, attributes: true, childList: true });
	});
	const t0 = Date.now();
	await page.setInputFiles('#file-input', path.join(BIG_DIR, 'page.mp4'));
	const f = await settle(page, 'page.mp4');
	const ms = Date.now() - t0;
	const sign = seen.find((r) => r.path === '/get_post_signature_for_oss_upload');
	const create = count(seen, 'POST', /^\/ossign\/parts\/s3\/multipart$/);
	const batches = count(seen, 'GET', /^\/ossign\/parts\/s3\/multipart\/ID\/batch$/);
	const puts = seen.filter((r) => r.where === 'oss' && r.method === 'PUT').length;
	const complete = count(seen, 'POST', /^\/ossign\/parts\/s3\/multipart\/ID\/complete$/);
	check('page.parts', f.state === 'done' && f.key === 'parts/page.mp4' && sign !== undefined &&
	    !sign.url.searchParams.has('size') && create === 1 && batches >= 1 && puts === PARTS &&
	    complete === 1 && partsTaken('parts/page.mp4') === PARTS,
	    `index.html, threshold 32 MiB: 64 MiB signed without size, one create, ${PARTS} parts, ` +
	    `one complete, the key shown (${ms} ms)`,
	    { f, sign: sign && sign.url.search, create, batches, puts, complete });
	const bars = await page.evaluate(() => window.__bars);
	const moving = bars.filter(([s, v]) => s === 'uploading' && v > 0 && v < 100).map(([, v]) => v);
	const states = bars.map(([s]) => s).filter((s, i, a) => s !== a[i - 1]);
	check('page.parts-progress', new Set(moving).size >= 5 &&
	    bars.some(([s, v]) => s === 'uploading' && v === 100) &&
	    JSON.stringify(states) === JSON.stringify(['signing', 'uploading', 'done']),
	    'the row goes signing -> uploading -> done, its bar through the parts to 100% while uploading',
	    { states, moving: [...new Set(moving)] });
	const hs = await oss.holds('parts/page.mp4', BIG, 'video/mp4', 'parts/');
	check('page.parts-stored', hs.pass, 'stored as parts/page.mp4, video/mp4, the 64 MiB sent', hs.why);
	await shot(page, 'page-parts.png');
	await page.close();
}

/*
 * PUTs to OSS from this page pass while fewer than gate.allow have passed;
 * page.route holds the others, unsent, until the page aborts them or goes.
 */
async function hold(page, allow) {
	const gate = { allow, passed: 0, held: 0 };
	await page.route((u) => u.href.startsWith(OSS_URL + '/'), async (route) => {
		if (route.request().method() === 'PUT') {
			if (gate.passed >= gate.allow) {
				gate.held++;
				return;
			}
			gate.passed++;
		}
		await route.continue().catch(() => {});
	});
	return gate;
}

/* The part numbers of key's upload in progress on the emulator. */
async function partsOn(key) {
	const u = (await oss.uploads()).find((x) => x.key === key);
	return u ? u.parts.map((p) => p.number).sort((a, b) => a - b) : [];
}

/* Cancel with parts on OSS: the upload is aborted there and forgotten here. */
async function cancel(ctx) {
	const key = 'parts/cancel.mp4';
	const { page } = await openIndex(ctx, 'parts', THRESHOLD);
	const gate = await hold(page, 2);
	await page.setInputFiles('#file-input', path.join(BIG_DIR, 'cancel.mp4'));
	const two = await until(async () => (await partsOn(key)).length === 2 && gate.held >= 1, 20000, 100);
	await page.locator(rowSel('cancel.mp4')).locator('button.cancel').click();
	const f = await settle(page, 'cancel.mp4');
	const gone = await until(async () => !(await oss.uploads()).some((u) => u.key === key), 5000, 100);
	const deleted = fs.readFileSync(OSS_LOG, 'utf8').split('\n')
	    .filter((l) => l.startsWith(`oss-emu: DELETE /${key} 204 `)).length;
	const kept = await page.evaluate(() => Object.keys(localStorage)
	    .filter((k) => k.startsWith('ossign-multipart:')).length);
	const objects = (await oss.objects(key)).length;
	check('cancel.aborted', two && f.state === 'cancelled' && gone && deleted === 1 && kept === 0 &&
	    objects === 0, 'Cancel with 2 parts on OSS: the upload is aborted there (DELETE), nothing stored ' +
	    'or kept in localStorage', { two, f, gone, deleted, kept, objects });
	await page.close();
}

/*
 * Interrupted: PUTs to OSS are let through a few at a time (hold); Pause,
 * Resume, then a reload with parts missing.
 */
async function resume(ctx) {
	const key = 'parts/resume.mp4';
	const file = path.join(BIG_DIR, 'resume.mp4');
	const { page, seen } = await openIndex(ctx, 'parts', THRESHOLD);
	const gate = await hold(page, 4);
	const onOss = () => partsOn(key);
	await page.setInputFiles('#file-input', file);
	const row = page.locator(rowSel('resume.mp4'));
	/* 4 parts on OSS and the next 3 held (so every request of theirs has been seen). */
	const four = await until(async () => (await onOss()).length === 4 && gate.held === 3, 20000, 100);

	await row.locator('button.pause').click();
	const paused = await row.evaluate((li) => ({ paused: li.getAttribute('data-paused'),
	    state: li.getAttribute('data-state'), status: li.querySelector('.status').textContent,
	    button: li.querySelector('button.pause').textContent }));
	const putsAtPause = seen.filter((r) => r.where === 'oss' && r.method === 'PUT').length;
	await page.waitForTimeout(1000);
	const putsLater = seen.filter((r) => r.where === 'oss' && r.method === 'PUT').length;
	const stored = await page.evaluate(() => Object.keys(localStorage)
	    .filter((k) => k.startsWith('ossign-multipart:')).map((k) => localStorage.getItem(k)));
	const fields = stored.length === 1 ? Object.keys(JSON.parse(stored[0])).sort().join(' ') : '';
	check('pause.paused', four && paused.paused === 'true' && paused.state === 'uploading' &&
	    /^Paused at \d+%/.test(paused.status) && paused.button === 'Resume' && putsLater === putsAtPause,
	    'Pause after 4 parts: the row says "Paused at N%", offers Resume, and sends nothing for 1 s',
	    { four, held: gate.held, paused, putsAtPause, putsLater });
	check('pause.stored', fields === 'done key partSize saved uploadId' &&
	    !/signature|token|credential|x-oss-/i.test(stored.join(' ')),
	    'localStorage keeps key, uploadId, part size, parts done and time: no signature, token or URL',
	    stored);
	await shot(page, 'pause-paused.png');

	gate.allow = 7;
	await row.locator('button.pause').click();
	const seven = await until(async () => (await onOss()).length === 7 && gate.held === 6, 20000, 100);
	const again = await row.evaluate((li) => ({ paused: li.getAttribute('data-paused'),
	    button: li.querySelector('button.pause').textContent }));
	check('pause.resumed', seven && again.paused === null && again.button === 'Pause',
	    'Resume sends the next parts: 7 on OSS', { seven, held: gate.held, again, onOss: await onOss() });

	/* The tab goes away with parts in flight (held); back, the same file is picked again. */
	const before = await onOss();
	const takenBefore = partsTaken(key);
	gate.allow = Infinity;	/* the held ones go with the page; after it, all pass */
	seen.length = 0;
	await page.reload();
	await configure(page, 'parts', THRESHOLD);
	const note = await page.locator('#resume-notice').textContent().catch(() => '');
	check('reload.notice', /resume\.mp4 \(7 parts sent\)/.test(note) &&
	    /same file again/.test(note), 'after the reload the page names the unfinished upload', note);
	await shot(page, 'reload-notice.png');
	const t0 = Date.now();
	await page.setInputFiles('#file-input', file);
	const f = await settle(page, 'resume.mp4');
	const ms = Date.now() - t0;
	const sent = seen.filter((r) => r.where === 'oss' && r.method === 'PUT')
	    .map((r) => Number(r.url.searchParams.get('partNumber'))).sort((a, b) => a - b);
	const missing = [];
	for (let n = 1; n <= PARTS; n++)
		if (!before.includes(n))
			missing.push(n);
	const list = count(seen, 'GET', /^\/ossign\/parts\/s3\/multipart\/ID$/);
	const create = count(seen, 'POST', /^\/ossign\/parts\/s3\/multipart$/);
	check('reload.listed', f.state === 'done' && list === 1 && create === 0,
	    'the same file again: its parts are listed (GET s3/multipart/ID?key=), no new upload is made',
	    { f, list, create });
	check('reload.missing-only', JSON.stringify(sent) === JSON.stringify(missing) && missing.length === PARTS - 7,
	    `only the ${PARTS - 7} missing parts are sent (${ms} ms)`, { before, sent, missing, failures });
	const taken = partsTaken(key);
	check('reload.emulator', takenBefore === 7 && taken === PARTS,
	    `the emulator took each part once: 7 before the reload, ${PARTS} in all`, { takenBefore, taken });
	const hs = await oss.holds(key, BIG, 'video/mp4', 'parts/');
	const left = (await oss.uploads()).filter((u) => u.key === key).length;
	const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('ossign-multipart:')).length);
	const hidden = await page.locator('#resume-notice').isHidden();
	check('reload.stored', hs.pass && left === 0 && kept === 0 && hidden,
	    'stored as parts/resume.mp4, video/mp4, the 64 MiB sent; nothing left on OSS or in localStorage',
	    { why: hs.why, left, kept, hidden });
	await shot(page, 'reload-done.png');
	await page.close();
}

/* BROWSER_STEPS="resume ..." runs only those (by hand, while debugging). */
const only = (process.env.BROWSER_STEPS || '').split(/\s+/).filter(Boolean);
const run = (name, fn) => only.length === 0 || only.includes(name) ? step(name, fn, state) : null;
const ctx = await launch(PROFILE);
try {
	await run('uppy6', () => uppy(ctx, 6));
	await run('uppy5', () => uppy(ctx, 5));
	await run('fallback', () => fallback(ctx));
	await run('parts', () => pageParts(ctx));
	await run('resume', () => resume(ctx));
	await run('cancel', () => cancel(ctx));
	check('mp.no-errors', pageErrors.length === 0, 'no JavaScript errors on any page', pageErrors);
} finally {
	await ctx.close();
}
console.log('# browser: finished');
process.exit(state.rc);
