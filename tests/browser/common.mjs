/*
 * tests/browser/common.mjs: what the browser scripts under tests/browser/
 * share: their environment, the "ok ID - what" lines tests/browser.sh reads,
 * Debian's Chromium started as this machine needs it, and the bucket as the
 * OSS emulator's admin routes show it.  (upload.mjs predates it and has its
 * own copies.)
 */
import { chromium } from 'playwright-core';
import crypto from 'node:crypto';

export function need(name) {
	const v = process.env[name];
	if (!v) {
		console.log(`# browser: ${name} is not set`);
		process.exit(2);
	}
	return v;
}

export function detail(d) {
	if (d === undefined)
		return;
	const text = typeof d === 'string' ? d : JSON.stringify(d);
	for (const line of text.split('\n'))
		console.log(`# ${line}`);
}

/* One check: "ok ID - what", or "not ok ID - what" and the detail lines. */
export function check(id, pass, what, d) {
	console.log(`${pass ? 'ok' : 'not ok'} ${id} - ${what}`);
	if (!pass)
		detail(d);
	return pass;
}

/* Headless Chromium on a fresh profile, with the flags this machine's closed network needs. */
export function launch(profile) {
	return chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
		viewport: { width: 1280, height: 800 }
	});
}

/* Runs fn; one that throws leaves its checks unreported (a failure in browser.sh). */
export async function step(name, fn, state) {
	const t0 = Date.now();
	try {
		await fn();
	} catch (e) {
		console.log(`# browser: step ${name} stopped: ${e && e.message ? e.message : e}`);
		state.rc = 1;
	}
	console.log(`# time ${name}: ${Date.now() - t0} ms`);
}

export function sha256(b) {
	return crypto.createHash('sha256').update(b).digest('hex');
}

export async function until(pred, ms, every = 50) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await pred())
			return true;
		await new Promise((r) => setTimeout(r, every));
	}
	return pred();
}

/* The bucket as its owner sees it (the emulator's admin routes). */
export function bucket(ossUrl) {
	return {
		async object(key) {
			const r = await fetch(`${ossUrl}/_emu/object?key=${encodeURIComponent(key)}`);
			return { status: r.status, type: r.headers.get('content-type'),
			    body: Buffer.from(await r.arrayBuffer()) };
		},
		async objects(prefix) {
			const r = await fetch(`${ossUrl}/_emu/objects?prefix=${encodeURIComponent(prefix)}`);
			return (await r.json()).objects;
		},
		/* Uploads in progress: [{uploadId, key, parts: [{number, size, etag}]}]. */
		async uploads() {
			const r = await fetch(`${ossUrl}/_emu/uploads`);
			return (await r.json()).uploads;
		},
		/*
		 * The stored object at key is bytes (size and SHA-256), with this
		 * content type, and is the only object of its name under prefix.
		 */
		async holds(key, bytes, type, prefix) {
			const why = [];
			if (!key.startsWith(prefix))
				why.push(`key ${key} is not under ${prefix}`);
			const o = await this.object(key);
			if (o.status !== 200)
				return { pass: false, why: `GET ${key}: HTTP ${o.status}` };
			if (o.body.length !== bytes.length)
				why.push(`${o.body.length} bytes stored, ${bytes.length} sent`);
			if (sha256(o.body) !== sha256(bytes))
				why.push(`sha256 ${sha256(o.body).slice(0, 16)} stored, ${sha256(bytes).slice(0, 16)} sent`);
			if (o.type !== type)
				why.push(`content type ${o.type}, expected ${type}`);
			return { pass: why.length === 0, why };
		}
	};
}
