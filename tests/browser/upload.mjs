/*
 * tests/browser/upload.mjs: drives Debian's Chromium (npm playwright-core,
 * no downloaded browser) against the stack tests/browser.sh started: nginx
 * serving www/ and the signing endpoint, ossign, the OSS and STS emulators.
 *
 * Prints one line per check, "ok ID - what" or "not ok ID - what" followed by
 * "# detail" lines; tests/browser.sh turns them into numbered TAP points in a
 * fixed order (a check that never printed is a failure there).  The last
 * line is "# browser: finished" when the script got to the end.
 *
 * Environment (all set by tests/browser.sh):
 *   STACK_URL, STACK_SIGN_URL, STACK_OSS_URL   the stack (tests/lib/stack.sh)
 *   LATE_OSS_URL  a second OSS emulator on the same state directory whose
 *                 clock runs ahead (tests/browser/clock-ahead.cjs): an upload
 *                 routed there finds its policy expired
 *   ART           where the screenshots go
 *   PROFILE_DIR   a fresh, empty Chromium user-data-dir
 *   CHROMIUM      the browser                 [/usr/bin/chromium]
 *
 * Several files at once are signed with one batch request (POST JSON to the
 * signing URL); the checks a.batch, g.* (a signer without batch signing:
 * 405, one GET per file then) and h.* (a drop of five files, one refused by
 * its batch entry) are about that.
 *
 * Uploads from www/index.html go to [upload browser] (tests/browser/
 * uploads.conf: 1 MiB at most, text/plain and image/png, forbid_overwrite,
 * success_action_status 200, keys browser/NAME); www/vendor-compat.html uses
 * [upload default] (keys vendor/NAME); an upload to [upload browsercb] (keys
 * browser-cb/NAME) has OSS call ossign back, and the page shows the answer.
 */
import { chromium } from 'playwright-core';
import crypto from 'node:crypto';
import path from 'node:path';

function need(name) {
	const v = process.env[name];
	if (!v) {
		console.log(`# browser: ${name} is not set`);
		process.exit(2);
	}
	return v;
}

const PAGE_URL = need('STACK_URL');
const SIGN_URL = need('STACK_SIGN_URL');
const OSS_URL = need('STACK_OSS_URL');
const LATE_URL = need('LATE_OSS_URL');
const ART = need('ART');
const PROFILE = need('PROFILE_DIR');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const UPLOAD = 'browser';
const MAX_SIZE = 1048576;		/* max_size of [upload browser] */
const WAIT_MS = 20000;			/* for one upload to finish */

/* ---- reporting ---------------------------------------------------------- */

function detail(d) {
	if (d === undefined)
		return;
	const text = typeof d === 'string' ? d : JSON.stringify(d);
	for (const line of text.split('\n'))
		console.log(`# ${line}`);
}

function check(id, pass, what, d) {
	console.log(`${pass ? 'ok' : 'not ok'} ${id} - ${what}`);
	if (!pass)
		detail(d);
	return pass;
}

/* ---- files and the bucket ----------------------------------------------- */

/* Text of about n bytes, different for every seed. */
function textBytes(seed, n) {
	const lines = [];
	let size = 0;
	for (let i = 0; size < n; i++) {
		const l = `${seed} line ${i} ${crypto.createHash('sha256').update(seed + i).digest('hex')}\n`;
		lines.push(l);
		size += l.length;
	}
	return Buffer.from(lines.join(''), 'utf8');
}

/* A PNG signature followed by random bytes (OSS does not look inside). */
function pngBytes(n) {
	const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	return Buffer.concat([sig, crypto.randomBytes(n - sig.length)]);
}

/* The object as its owner reads it: the emulator's admin route (the bucket is private). */
function objectUrl(base, key) {
	return base + '/_emu/object?key=' + encodeURIComponent(key);
}

async function getObject(key) {
	const r = await fetch(objectUrl(OSS_URL, key));
	return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
}

async function listObjects(prefix) {
	const r = await fetch(`${OSS_URL}/_emu/objects?prefix=${encodeURIComponent(prefix)}`);
	return (await r.json()).objects.map((o) => o.key);
}

/* The object at key holds exactly these bytes. */
async function stored(key, bytes) {
	const o = await getObject(key);
	if (o.status !== 200)
		return { pass: false, why: `GET ${key}: HTTP ${o.status}` };
	if (!o.body.equals(bytes))
		return { pass: false, why: `GET ${key}: ${o.body.length} bytes, ` +
		    `sha256 ${sha(o.body)}; sent ${bytes.length} bytes, sha256 ${sha(bytes)}` };
	return { pass: true };
}

function sha(b) {
	return crypto.createHash('sha256').update(b).digest('hex').slice(0, 16);
}

/* ---- the page ----------------------------------------------------------- */

/*
 * In every page, before its scripts: record, per file row, the sequence of
 * its data-state values and of its progress bar's value, each value with the
 * row's state at that moment (window.__tl: row element -> [[state, value]]).
 * MutationObserver records give only the old value; the new one is the next
 * record's old value, or the current attribute for the last record.
 */
function installTimeline() {
	const tl = new WeakMap();
	window.__tl = tl;
	const obs = new MutationObserver((recs) => {
		const cur = new Map();
		const now = new Array(recs.length);
		for (let i = recs.length - 1; i >= 0; i--) {
			const r = recs[i];
			let m = cur.get(r.target);
			if (!m) {
				m = {};
				cur.set(r.target, m);
			}
			if (!(r.attributeName in m))
				m[r.attributeName] = r.target.getAttribute(r.attributeName);
			now[i] = m[r.attributeName];
			m[r.attributeName] = r.oldValue;	/* before this record */
		}
		const state = new Map();	/* row -> its state as we replay */
		for (let i = 0; i < recs.length; i++) {
			const r = recs[i];
			const li = r.target.closest ? r.target.closest('li.file') : null;
			if (!li)
				continue;
			if (!state.has(li)) {
				const m = cur.get(li);
				state.set(li, m && 'data-state' in m ? m['data-state'] :
				    li.getAttribute('data-state'));
			}
			if (!tl.has(li))
				tl.set(li, []);
			if (r.target === li && r.attributeName === 'data-state') {
				state.set(li, now[i]);
				tl.get(li).push([now[i], null]);
			} else if (r.attributeName === 'value' && r.target.matches('progress')) {
				tl.get(li).push([state.get(li), now[i]]);
			}
		}
	});
	obs.observe(document, { subtree: true, attributes: true, attributeOldValue: true,
	    attributeFilter: ['data-state', 'value'] });
}

function rowSel(name) {
	return `li.file[data-name=${JSON.stringify(name)}]`;
}

/* Wait until the nth row for name is done, error or cancelled; its facts. */
async function settle(page, name, nth = 0) {
	const row = page.locator(rowSel(name)).nth(nth);
	await page.locator(rowSel(name) + ':is([data-state="done"],[data-state="error"],' +
	    '[data-state="cancelled"])').nth(nth).waitFor({ timeout: WAIT_MS });
	const facts = await row.evaluate((li) => {
		const bar = li.querySelector('.progress');
		const key = li.querySelector('.key');
		return {
			state: li.getAttribute('data-state'),
			error: li.getAttribute('data-error'),
			status: li.querySelector('.status').textContent,
			key: key ? key.textContent : null,
			value: bar ? bar.value : null,
			max: bar ? bar.max : null,
			timeline: window.__tl.get(li) || []
		};
	});
	facts.statusVisible = await row.locator('.status').isVisible();
	facts.keyVisible = await row.locator('.key').isVisible();
	return facts;
}

async function openIndex(ctx) {
	const page = await ctx.newPage();
	await page.goto(PAGE_URL + '/');
	/* The page's documented switch (README, www/index.html): which [upload] section. */
	await page.evaluate((u) => document.getElementById('uploader').setAttribute('data-upload', u),
	    UPLOAD);
	return page;
}

async function until(pred, ms) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (pred())
			return true;
		await new Promise((r) => setTimeout(r, 50));
	}
	return pred();
}

async function shot(page, name, opts = {}) {
	await page.screenshot({ path: path.join(ART, name), fullPage: true, ...opts });
}

/* ---- the run ------------------------------------------------------------ */

const signs = [];		/* every signing request: {page, method, filename, names} */
const ossPosts = [];		/* every POST the browser sent to the OSS emulator */
const pageErrors = [];

function watch(page, label) {
	page.on('request', (req) => {
		const url = req.url();
		if (url.startsWith(SIGN_URL)) {
			let names = null;
			if (req.method() === 'POST') {
				try {
					names = JSON.parse(req.postData()).files.map((f) => f.filename);
				} catch (e) {
					names = [];
				}
			}
			signs.push({ page: label, method: req.method(), names,
			    filename: new URL(url).searchParams.get('filename') });
		}
		else if (url.startsWith(OSS_URL + '/') && req.method() === 'POST')
			ossPosts.push({ page: label });
	});
	page.on('pageerror', (e) => pageErrors.push(`${label}: ${e.message}`));
}

/* Keyboard: Tab reaches the drop zone; Enter and Space open the chooser. */
async function keyboard(page) {
	const choosers = [];
	page.on('filechooser', (fc) => choosers.push(fc));	/* standing listener */
	await page.keyboard.press('Tab');
	const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
	check('keyboard.tab', focused === 'drop-zone', 'Tab from the top of the page focuses the drop zone',
	    `focused: ${focused}`);
	if (focused !== 'drop-zone')
		await page.focus('#drop-zone');
	await page.keyboard.press('Enter');
	const enter = await until(() => choosers.length >= 1, 5000);
	check('keyboard.enter', enter && choosers[0].isMultiple(),
	    'Enter on the drop zone opens a file chooser for several files',
	    `choosers seen: ${choosers.length}`);
	await shot(page, 'keyboard-focus.png');
	await page.keyboard.press(' ');
	const space = await until(() => choosers.length >= 2, 5000);
	check('keyboard.space', space, 'Space on the drop zone opens the file chooser too',
	    `choosers seen: ${choosers.length}`);
	const kb = textBytes('keyboard', 2000);
	if (choosers.length > 0) {
		await choosers[choosers.length - 1].setFiles({ name: 'keyboard.txt', mimeType: 'text/plain',
		    buffer: kb });
		const f = await settle(page, 'keyboard.txt');
		const s = await stored('browser/keyboard.txt', kb);
		check('keyboard.upload', f.state === 'done' && s.pass,
		    'a file picked through the keyboard-opened chooser is uploaded', { f, s });
	} else {
		check('keyboard.upload', false, 'a file picked through the keyboard-opened chooser is uploaded',
		    'no chooser');
	}
}

/* (a) Two files at once. */
async function twoFiles(page) {
	const a = { name: 'a.txt', mimeType: 'text/plain', buffer: textBytes('alpha', 300 * 1024) };
	const b = { name: 'b.png', mimeType: 'image/png', buffer: pngBytes(600 * 1024) };
	check('a.distinct', !a.buffer.equals(b.buffer) && a.buffer.length !== b.buffer.length,
	    'the two files differ');
	const signsBefore = signs.length;
	await page.setInputFiles('#file-input', [a, b]);
	const fa = await settle(page, a.name);
	const fb = await settle(page, b.name);
	const mine = signs.slice(signsBefore);
	check('a.batch', mine.length === 1 && mine[0].method === 'POST' &&
	    JSON.stringify(mine[0].names) === JSON.stringify([a.name, b.name]),
	    'the two files were signed with one batch request (POST), no GET', mine);
	check('a.done', fa.state === 'done' && fb.state === 'done',
	    'both rows of a two-file selection reach data-state=done', { fa, fb });
	check('a.bars-max', fa.value === fa.max && fb.value === fb.max && fa.max > 0,
	    'both progress bars end at their max', { a: [fa.value, fa.max], b: [fb.value, fb.max] });
	if (process.env.BROWSER_DEBUG)
		detail({ a: fa.timeline, b: fb.timeline });
	const upMax = (f) => f.timeline.some(([st, v]) => st === 'uploading' && Number(v) === f.max);
	const upStates = (f) => f.timeline.map(([st]) => st).filter((s, i, arr) => s !== arr[i - 1]);
	check('a.bars-progress', upMax(fa) && upMax(fb),
	    'both bars reached their max from upload progress, while still uploading',
	    { a: fa.timeline, b: fb.timeline });
	check('a.sequence', JSON.stringify(upStates(fa)) === JSON.stringify(['signing', 'uploading', 'done']) &&
	    JSON.stringify(upStates(fb)) === JSON.stringify(['signing', 'uploading', 'done']),
	    'each row went signing -> uploading -> done', { a: upStates(fa), b: upStates(fb) });
	check('a.keys', fa.key === 'browser/a.txt' && fb.key === 'browser/b.png' && fa.keyVisible &&
	    fb.keyVisible, 'each row shows its object key', { a: fa.key, b: fb.key });
	const sa = await stored('browser/a.txt', a.buffer);
	const sb = await stored('browser/b.png', b.buffer);
	check('a.stored', sa.pass && sb.pass,
	    'both objects are stored in the OSS emulator with exactly the bytes sent', { sa, sb });
	await shot(page, 'a-two-files.png');
}

/* (b) Too large: the signer refuses from the size; nothing is sent. */
async function tooLarge(page) {
	const postsBefore = ossPosts.length;
	await page.setInputFiles('#file-input', [{ name: 'big.txt', mimeType: 'text/plain',
	    buffer: textBytes('big', MAX_SIZE + 512 * 1024) }]);
	const fbig = await settle(page, 'big.txt');
	check('b.error', fbig.state === 'error' && fbig.error === 'too_large',
	    'a file over max_size ends in error with data-error=too_large', fbig);
	check('b.message', fbig.statusVisible && /too large/i.test(fbig.status),
	    'the row shows "Too large" in words', fbig.status);
	const bigObjs = await listObjects('browser/big');
	check('b.nothing', bigObjs.length === 0 && ossPosts.length === postsBefore,
	    'nothing was sent to or stored in the bucket', { bigObjs, posts: ossPosts.length - postsBefore });
	await shot(page, 'b-too-large.png');
}

/* (c) A type the upload does not allow. */
async function typeNotAllowed(page) {
	const postsBefore2 = ossPosts.length;
	await page.setInputFiles('#file-input', [{ name: 'page.html', mimeType: 'text/html',
	    buffer: Buffer.from('<!DOCTYPE html><p>not allowed</p>\n') }]);
	const fhtml = await settle(page, 'page.html');
	check('c.error', fhtml.state === 'error' && fhtml.error === 'type_not_allowed',
	    'a text/html file ends in error with data-error=type_not_allowed', fhtml);
	check('c.message', fhtml.statusVisible && /text\/html.*not accepted/i.test(fhtml.status),
	    'the row says files of that type are not accepted', fhtml.status);
	const htmlObjs = await listObjects('browser/page');
	check('c.nothing', htmlObjs.length === 0 && ossPosts.length === postsBefore2,
	    'nothing was sent to or stored in the bucket', { htmlObjs, posts: ossPosts.length - postsBefore2 });
	await shot(page, 'c-type-not-allowed.png');
}

/* (d) The same name twice, forbid_overwrite = yes. */
async function exists(page) {
	const first = textBytes('first version', 1000);
	const second = textBytes('second version, must not replace the first', 1500);
	await page.setInputFiles('#file-input', [{ name: 'same.txt', mimeType: 'text/plain', buffer: first }]);
	const fs1 = await settle(page, 'same.txt', 0);
	check('d.first', fs1.state === 'done', 'the first same.txt is uploaded', fs1);
	await page.setInputFiles('#file-input', [{ name: 'same.txt', mimeType: 'text/plain', buffer: second }]);
	const fs2 = await settle(page, 'same.txt', 1);
	check('d.exists', fs2.state === 'error' && fs2.error === 'FileAlreadyExists',
	    'the second same.txt ends in error with data-error=FileAlreadyExists (from OSS)', fs2);
	check('d.message', fs2.statusVisible && /already exists/i.test(fs2.status),
	    'the row says a file with this name already exists', fs2.status);
	const s1 = await stored('browser/same.txt', first);
	check('d.kept', s1.pass, 'the stored object is still the first upload', s1);
	await shot(page, 'd-already-exists.png');
}

/* (g) A signer without batch signing (an older ossign: POST is 405): one GET per file. */
async function batchFallback(ctx) {
	const page = await openIndex(ctx);
	watch(page, 'fallback');
	await page.route((u) => u.href.startsWith(SIGN_URL), async (route) => {
		const req = route.request();
		if (req.method() === 'POST')
			await route.fulfill({ status: 405, contentType: 'application/json',
			    headers: { Allow: 'GET, OPTIONS' },
			    body: '{"error":{"code":"method_not_allowed","message":"only GET and OPTIONS are allowed"}}' });
		else
			await route.continue();
	});
	const g = [1, 2].map((i) => ({ name: `g${i}.txt`, mimeType: 'text/plain',
	    buffer: textBytes(`fallback ${i}`, 1500 * i) }));
	await page.setInputFiles('#file-input', g);
	const f1 = await settle(page, g[0].name);
	const f2 = await settle(page, g[1].name);
	const mine = signs.filter((x) => x.page === 'fallback');
	check('g.fallback', mine.length === 3 && mine[0].method === 'POST' &&
	    mine.slice(1).every((x) => x.method === 'GET') &&
	    JSON.stringify(mine.slice(1).map((x) => x.filename).sort()) === JSON.stringify(['g1.txt', 'g2.txt']),
	    'after the 405 to the batch, one GET per file', mine);
	check('g.done', f1.state === 'done' && f2.state === 'done', 'both files are uploaded', { f1, f2 });
	const s1 = await stored('browser/g1.txt', g[0].buffer);
	const s2 = await stored('browser/g2.txt', g[1].buffer);
	check('g.stored', s1.pass && s2.pass, 'with the bytes sent', { s1, s2 });
	const remembers = await page.evaluate(() => window.ossignUpload.batchSigning());
	check('g.remembers', remembers === false, 'the page no longer asks that signer for batches',
	    `batchSigning: ${remembers}`);
	await shot(page, 'g-batch-fallback.png');
	await page.close();
}

/* (h) Five files dropped on the zone: one batch request; one file refused by its entry. */
async function batchDrop(ctx) {
	const page = await openIndex(ctx);
	watch(page, 'drop');
	const texts = [1, 2, 3, 4].map((i) => `drop ${i} `.repeat(200 * i));
	await page.evaluate(({ texts, big }) => {
		const dt = new DataTransfer();
		texts.forEach((t, i) => dt.items.add(new File([t], `h${i + 1}.txt`, { type: 'text/plain' })));
		dt.items.add(new File([new Uint8Array(big)], 'h5.txt', { type: 'text/plain' }));
		const zone = document.getElementById('drop-zone');
		zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
	}, { texts, big: MAX_SIZE + 1 });
	const rows = [];
	for (let i = 1; i <= 5; i++)
		rows.push(await settle(page, `h${i}.txt`));
	const mine = signs.filter((x) => x.page === 'drop');
	check('h.one-request', mine.length === 1 && mine[0].method === 'POST' && mine[0].names.length === 5,
	    'a drop of five files: one batch request, no GET', mine);
	check('h.done', rows.slice(0, 4).every((f) => f.state === 'done'), 'the four small files are uploaded',
	    rows.map((f) => [f.state, f.error]));
	check('h.error', rows[4].state === 'error' && rows[4].error === 'too_large' &&
	    /too large/i.test(rows[4].status), 'the file over max_size ends too_large, from its batch entry',
	    rows[4]);
	const seqs = rows.slice(0, 4).map((f) => f.timeline.map(([st]) => st)
	    .filter((x, i, arr) => x !== arr[i - 1]).join(' '));
	check('h.queue', seqs.filter((q) => q === 'signing uploading done').length === 3 &&
	    seqs.filter((q) => q === 'signing queued uploading done').length === 1,
	    'three upload at once, the fourth waits in the queue with its signature', seqs);
	let allStored = true;
	const why = [];
	for (let i = 1; i <= 4; i++) {
		const st = await stored(`browser/h${i}.txt`, Buffer.from(texts[i - 1]));
		allStored = allStored && st.pass;
		why.push(st);
	}
	check('h.stored', allStored, 'each with the bytes dropped', why);
	await shot(page, 'h-batch-drop.png');
	await page.close();
}

/* The whole page, desktop and phone, after the uploads. */
async function layouts(page) {
	await shot(page, 'page-desktop.png');
	await page.setViewportSize({ width: 390, height: 844 });
	await page.waitForTimeout(200);
	const overflow = await page.evaluate(() => ({
		scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth
	}));
	await shot(page, 'page-phone.png');
	check('phone.fits', overflow.scroll <= overflow.client,
	    'at 390x844 the page needs no horizontal scrolling', overflow);
}

/* (e) An expired signature is renewed once and the upload succeeds. */
async function expired(ctx) {
	const page2 = await openIndex(ctx);
	watch(page2, 'expired');
	let routed = 0;
	await page2.route((u) => u.href.startsWith(OSS_URL + '/'), async (route) => {
		const req = route.request();
		if (req.method() === 'POST' && routed === 0) {
			/* The first upload reaches the bucket "too late". */
			routed++;
			await route.continue({ url: LATE_URL + '/' });
		} else {
			await route.continue();
		}
	});
	const late = textBytes('late', 4000);
	await page2.setInputFiles('#file-input', [{ name: 'late.txt', mimeType: 'text/plain', buffer: late }]);
	const fl = await settle(page2, 'late.txt');
	const lateStats = await (await fetch(LATE_URL + '/_emu/stats')).json();
	const expiredSeen = (lateStats.recent_errors || []).some((e) =>
	    e.code === 'AccessDenied' && e.status === 403 && /Policy expired/.test(e.message));
	check('e.answered', routed === 1 && expiredSeen && lateStats.error_total === 1,
	    'the first POST got the emulator\'s own 403 AccessDenied "Policy expired"',
	    { routed, errors: lateStats.recent_errors });
	check('e.done', fl.state === 'done' && fl.key === 'browser/late.txt',
	    'the upload then ends done', fl);
	const lateSigns = signs.filter((s) => s.filename === 'late.txt').length;
	check('e.two-signatures', lateSigns === 2, 'exactly two signature requests were made for it',
	    `signature requests: ${lateSigns}`);
	const seq = fl.timeline.map(([st]) => st).filter((s, i, arr) => s !== arr[i - 1]);
	check('e.sequence', JSON.stringify(seq) ===
	    JSON.stringify(['signing', 'uploading', 'signing', 'uploading', 'done']),
	    'the row went signing, uploading, signing again, uploading, done', seq);
	const sl = await stored('browser/late.txt', late);
	check('e.stored', sl.pass, 'the renewed upload is stored with the bytes sent', sl);
	await shot(page2, 'e-expired-renewed.png');
	await page2.close();
}

/* (f) The vendor guide's page, unchanged, with the default upload. */
async function vendor(ctx) {
	const page3 = await ctx.newPage();
	watch(page3, 'vendor');
	const answers = [];
	page3.on('response', (r) => {
		if (r.url().startsWith(SIGN_URL))
			answers.push(r.json().catch(() => null));
	});
	await page3.goto(PAGE_URL + '/vendor-compat.html');
	const vb = textBytes('vendor', 5000);
	await page3.setInputFiles('#file', { name: 'vendor.txt', mimeType: 'text/plain', buffer: vb });
	await page3.click('button[type="submit"]');
	await page3.waitForFunction(() => document.getElementById('result').textContent !== '', null,
	    { timeout: WAIT_MS });
	const result = await page3.textContent('#result');
	check('f.uploaded', result === 'uploaded', 'the vendor compatibility page says "uploaded"', result);
	const sig = answers.length === 1 ? await answers[0] : null;
	const dir = sig && typeof sig.dir === 'string' ? sig.dir : null;
	const vkeys = await listObjects('vendor/');
	check('f.key', dir !== null && dir.startsWith('vendor/') &&
	    JSON.stringify(vkeys) === JSON.stringify([dir + 'vendor.txt']),
	    'the object is stored under dir + the file name', { dir, vkeys, answers: answers.length });
	const sv = dir !== null ? await stored(dir + 'vendor.txt', vb) : { pass: false, why: 'no dir' };
	check('f.stored', sv.pass, 'with exactly the bytes sent', sv);
	await shot(page3, 'f-vendor-compat.png');
	await page3.close();
}

/* (g) An upload callback: the page shows what the site answered OSS. */
async function callbackAnswer(ctx) {
	const page = await ctx.newPage();
	watch(page, 'callback');
	await page.goto(PAGE_URL + '/');
	await page.evaluate(() => document.getElementById('uploader').setAttribute('data-upload', 'browsercb'));
	const gb = textBytes('callback', 3000);
	await page.setInputFiles('#file-input', { name: 'cb.txt', mimeType: 'text/plain', buffer: gb });
	const f = await settle(page, 'cb.txt');
	check('i.done', f.state === 'done' && f.key === 'browser-cb/cb.txt', 'a callback upload is done', f);
	const answer = page.locator(rowSel('cb.txt') + ' .callback-answer');
	const text = (await answer.count()) === 1 && await answer.isVisible() ? await answer.textContent() : '';
	let parsed = null;
	try {
		parsed = JSON.parse(text.replace(/^The site answered: /, ''));
	} catch (e) {
		parsed = null;
	}
	check('i.answer', parsed !== null && parsed.status === 'ok' && parsed.object === 'browser-cb/cb.txt' &&
	    /^[0-9a-f]{64}$/.test(parsed.event), 'the row shows the site\'s answer (ossign\'s, event and object)', text);
	await shot(page, 'i-callback-answer.png');
	await page.close();
}

const ctx = await chromium.launchPersistentContext(PROFILE, {
	executablePath: CHROMIUM,
	headless: true,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
	viewport: { width: 1280, height: 800 }
});
let rc = 0;

/* Each step on its own: one that throws leaves its checks unreported. */
async function step(name, fn) {
	try {
		await fn();
	} catch (e) {
		console.log(`# browser: step ${name} stopped: ${e && e.message ? e.message : e}`);
		rc = 1;
	}
}

try {
	await ctx.addInitScript(installTimeline);
	const page = await openIndex(ctx);
	watch(page, 'index');
	await step('keyboard', () => keyboard(page));
	await step('two files', () => twoFiles(page));
	await step('too large', () => tooLarge(page));
	await step('type not allowed', () => typeNotAllowed(page));
	await step('already exists', () => exists(page));
	await step('layouts', () => layouts(page));
	await page.close();
	await step('expired', () => expired(ctx));
	await step('vendor', () => vendor(ctx));
	await step('batch fallback', () => batchFallback(ctx));
	await step('batch drop', () => batchDrop(ctx));
	await step('callback', () => callbackAnswer(ctx));
	check('page.no-errors', pageErrors.length === 0, 'no JavaScript errors on any page', pageErrors);
	if (process.env.BROWSER_DEBUG)
		detail({ signs, ossPosts });
} finally {
	await ctx.close();
}
console.log('# browser: finished');
process.exit(rc);
