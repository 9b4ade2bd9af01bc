/*
 * ossign upload page, large files: a file above the threshold goes to the
 * bucket in parts, through the Uppy Companion S3 routes that ossign serves
 * (README, "Large files and Uppy"), with progress, pause and resume, and
 * resume after the page was reloaded or closed.
 *
 * upload.js asks two things of each file:
 *   ossignMultipart.wants(file)  before signing: true for a file above the
 *	threshold, which upload.js then signs without "size" (the signer
 *	refuses a form upload above 5 GiB; the page checks the answer's
 *	min_size and max_size itself);
 *   ossignMultipart.take(item, section)  once the signature passed the
 *	page's checks: true when the file now goes in parts.  A section
 *	without multipart = yes (ossign answers 404 to s3/multipart) sends
 *	the file back to item.upload(), the form POST with the signature
 *	already fetched.
 * Of upload.js's Item it uses: file, li, bar, status, keyEl, result, xhr
 * (set to the Upload below, whose abort() Cancel calls), setState, finish,
 * fail, upload.
 *
 * Configuration, read when needed (a test changes it on the fly):
 *   <meta name="ossign-multipart-threshold" content="104857600">
 *	files larger than this many bytes go in parts; "off": never.
 *	Default 100 MiB (Uppy's default too).
 *   <meta name="ossign-s3-url" content="/ossign">
 *	where the web server maps ossign's s3 routes (deploy/nginx/snippets/
 *	ossign.conf: location /ossign/).  The upload section (data-upload)
 *	is the next path segment: /ossign/NAME/s3/multipart.
 *
 * Resume: localStorage "ossign-multipart:" + [s3 URL with the section, file
 * name, size, type, lastModified] holds {key, uploadId, partSize, done,
 * saved}.  The same file picked again (after a reload, a closed tab,
 * Retry) lists the parts already on OSS (GET s3/multipart/ID?key=) and
 * sends only the others.  No signature, token or part URL is ever stored:
 * part URLs are asked for just before they are used.  The uploadId alone
 * lets nobody do anything: ossign checks it against its key, section and
 * user.  Records older than KEEP_MS are dropped.
 */
(function () {
	'use strict';

	const THRESHOLD = 100 * 1024 * 1024;
	const S3_URL = '/ossign';
	const MIB = 1024 * 1024;
	const PART_MIN = 5 * MIB;	/* Uppy's smallest part; ossign's part bound counts in it */
	const PARTS_MAX = 10000;	/* OSS */
	const FORM_MAX = 5 * 1024 * MIB;	/* OSS: one form upload */
	const PARALLEL = 3;		/* parts of one file in flight */
	const BATCH = 6;		/* part URLs asked for at once */
	const RETRY_MS = [1000, 3000, 5000];	/* waits before sending a part again */
	const URL_MARGIN_MS = 60000;	/* a part URL is not started this close to its end */
	const STORE = 'ossign-multipart:';
	const KEEP_MS = 7 * 24 * 3600 * 1000;
	const DEFAULT_TYPE = 'application/octet-stream';

	/* ossign's JSON error codes on these routes (HACKING.md, "Errors"). */
	const MESSAGES = {
		too_large: 'Too large: this file is bigger than the server accepts.',
		too_small: 'Too small: this file is smaller than the server accepts.',
		already_exists: 'A file with this name already exists. Rename the file and try again.',
		authentication_required: 'Please sign in before uploading.',
		upload_forbidden: 'This unfinished upload belongs to someone or somewhere else.',
		no_such_upload: 'The unfinished upload is gone from the storage service (aborted or expired). ' +
		    'Retry starts it again.',
		invalid_part: 'The storage service did not take the list of parts. Retry checks what arrived.',
		credentials_unavailable: 'The upload service is temporarily unavailable. Try again in a few minutes.',
		credentials_refused: 'The upload service is temporarily unavailable. Try again in a few minutes.',
		storage_unavailable: 'The storage service is temporarily unavailable. Retry continues where it stopped.',
		rate_limited: 'Too many uploads at once. Retry in a moment continues where it stopped.'
	};
	/* After these the unfinished upload cannot be finished: forget it. */
	const FINAL = new Set(['too_large', 'too_small', 'already_exists', 'no_such_upload', 'upload_forbidden']);
	/* OSS answers on a part meaning "this URL is no longer good": ask for a new one. */
	const EXPIRED = /request has expired|token.*expired|expired.*token/i;

	/* A failure to show on the row; forget: drop the resume record too. */
	function Fail(text, code, forget) {
		this.text = text;
		this.code = code;
		this.forget = !!forget;
	}
	const STOP = new Fail('', 'stopped');	/* cancelled or finished meanwhile: nothing to show */

	function meta(name) {
		const m = document.querySelector('meta[name="' + name + '"]');
		const v = m && m.getAttribute('content');
		return v ? v.trim() : '';
	}

	function threshold() {
		const v = meta('ossign-multipart-threshold');
		if (v === 'off')
			return null;
		const n = v === '' ? NaN : Number(v);
		return Number.isSafeInteger(n) && n >= 0 ? n : THRESHOLD;
	}

	function wants(file) {
		const t = threshold();
		return t !== null && file.size > t;
	}

	/* The s3 routes of a section, absolute, no trailing slash. */
	function s3Base(section) {
		const base = (meta('ossign-s3-url') || S3_URL).replace(/\/+$/, '');
		return new URL(base + (section ? '/' + encodeURIComponent(section) : '') + '/s3',
		    document.baseURI).href;
	}

	function typeOf(file) {
		return file.type && file.type !== '' ? file.type : DEFAULT_TYPE;
	}

	/* Uppy's part size: 5 MiB, more when 10,000 parts would not do. */
	function partSizeOf(size) {
		return Math.max(PART_MIN, Math.ceil(size / PARTS_MAX / MIB) * MIB);
	}

	/* ---- resume records (localStorage; unavailable: no resume) ---------- */

	function recordName(base, file) {
		return STORE + JSON.stringify([base, file.name, file.size, file.type, file.lastModified]);
	}

	function load(name) {
		try {
			const r = JSON.parse(localStorage.getItem(name));
			if (r && typeof r.key === 'string' && typeof r.uploadId === 'string' &&
			    Number.isSafeInteger(r.partSize) && Date.now() - r.saved < KEEP_MS)
				return r;
		} catch (e) {
			/* none, or unreadable */
		}
		return null;
	}

	function save(name, rec) {
		try {
			localStorage.setItem(name, JSON.stringify(rec));
		} catch (e) {
			/* full or disabled: the upload goes on, without resume */
		}
	}

	function forget(name) {
		try {
			localStorage.removeItem(name);
		} catch (e) {
			/* disabled */
		}
		notice();
	}

	/* Every record kept, the stale ones dropped: [{name, file, rec}]. */
	function records() {
		const out = [];
		let names;
		try {
			names = Object.keys(localStorage).filter((k) => k.startsWith(STORE));
		} catch (e) {
			return out;
		}
		for (const name of names) {
			const rec = load(name);
			let file = null;
			try {
				file = JSON.parse(name.slice(STORE.length))[1];
			} catch (e) {
				file = null;
			}
			if (rec && typeof file === 'string')
				out.push({ name, file, rec });
			else
				forget(name);
		}
		return out;
	}

	/* Above the file list: which uploads can go on, and how. */
	function notice() {
		const root = document.getElementById('uploader');
		if (!root)
			return;
		let p = document.getElementById('resume-notice');
		const left = records().filter((r) => !active.has(r.name));
		if (left.length === 0) {
			if (p)
				p.hidden = true;
			return;
		}
		if (!p) {
			p = document.createElement('p');
			p.id = 'resume-notice';
			p.className = 'notice';
			root.insertBefore(p, document.getElementById('list-title'));
		}
		p.textContent = 'Unfinished ' + (left.length === 1 ? 'upload: ' : 'uploads: ') +
		    left.map((r) => r.file + ' (' + r.rec.done + ' parts sent)').join(', ') +
		    '. Pick or drop the same ' + (left.length === 1 ? 'file again to continue where it' :
		    'files again to continue where they') + ' stopped.';
		p.hidden = false;
	}

	const active = new Set();	/* record names of the uploads running in this page */

	/* An OSS XML error in a part's answer, or null. */
	function ossError(xhr) {
		const doc = xhr.responseXML;
		const code = doc && doc.getElementsByTagName('Code')[0];
		if (!code)
			return null;
		const msg = doc.getElementsByTagName('Message')[0];
		return { code: code.textContent.trim(), message: msg ? msg.textContent.trim() : '' };
	}

	/* ---- one file in parts ----------------------------------------------- */

	function Upload(item, section) {
		this.item = item;
		this.file = item.file;
		this.base = s3Base(section);
		this.name = recordName(this.base, this.file);
		this.key = null;
		this.id = null;
		this.partSize = partSizeOf(this.file.size);
		this.count = Math.max(1, Math.ceil(this.file.size / this.partSize));
		this.done = new Map();		/* part number -> {ETag, Size} */
		this.flying = new Map();	/* part number -> {xhr, loaded, timer} */
		this.urls = new Map();		/* part number -> {url, until} */
		this.tries = new Map();		/* part number -> failures so far */
		this.signing = false;
		this.paused = false;
		this.completing = false;
		this.over = false;		/* cancelled, failed, done or handed back */
		this.ctl = new AbortController();	/* the JSON requests */
		this.button = null;
	}

	Upload.prototype.start = async function () {
		const it = this.item;
		it.xhr = this;
		it.setState('uploading', 'Preparing the upload in parts…');
		active.add(this.name);
		notice();
		try {
			const rec = load(this.name);
			let resumed = false;
			if (rec && rec.partSize === this.partSize)
				resumed = await this.resume(rec);
			if (!resumed && !await this.create())
				return;
			this.record();
			this.showPause();
			this.progress();
			this.pump();
		} catch (e) {
			this.error(e);
		}
	};

	/* One JSON request to ossign: {status, data}; throws Fail or STOP. */
	Upload.prototype.call = async function (method, path, body) {
		const opts = { method, headers: { Accept: 'application/json' }, signal: this.ctl.signal };
		if (body !== undefined) {
			opts.headers['Content-Type'] = 'application/json';
			opts.body = JSON.stringify(body);
		}
		let res;
		let data = null;
		try {
			res = await fetch(this.base + path, opts);
			data = await res.json().catch(() => null);
		} catch (e) {
			if (this.over)
				throw STOP;
			throw new Fail('Could not reach the upload service. Check your connection; ' +
			    'Retry continues where it stopped.', 'network');
		}
		if (this.over)
			throw STOP;
		return { status: res.status, data };
	};

	Upload.prototype.path = function (tail) {
		return '/multipart/' + encodeURIComponent(this.id) + (tail || '') +
		    '?key=' + encodeURIComponent(this.key);
	};

	Upload.prototype.refusal = function (r) {
		const err = r.data && r.data.error;
		const code = err && typeof err.code === 'string' ? err.code : 'http_' + r.status;
		let text = Object.prototype.hasOwnProperty.call(MESSAGES, code) ? MESSAGES[code] : null;
		if (code === 'type_not_allowed')
			text = 'Files of type ' + typeOf(this.file) + ' are not accepted here.';
		if (!text)
			text = err && typeof err.message === 'string' && err.message !== '' ?
			    'The upload service refused: ' + err.message :
			    'The upload service refused (HTTP ' + r.status + ').';
		return new Fail(text, code, FINAL.has(code));
	};

	/* The parts already on OSS of an upload this browser began; false: begin again. */
	Upload.prototype.resume = async function (rec) {
		this.key = rec.key;
		this.id = rec.uploadId;
		const r = await this.call('GET', this.path());
		if (r.status === 200 && Array.isArray(r.data)) {
			for (const p of r.data) {
				const n = Number(p && p.PartNumber);
				if (Number.isInteger(n) && n >= 1 && n <= this.count && typeof p.ETag === 'string' &&
				    Number(p.Size) === this.sizeOf(n))
					this.done.set(n, { ETag: p.ETag, Size: this.sizeOf(n) });
			}
			return true;
		}
		/* Gone, or not this user's or section's: begin again. */
		if (r.status === 400 || r.status === 403 || r.status === 404) {
			this.key = null;
			this.id = null;
			forget(this.name);
			return false;
		}
		throw this.refusal(r);
	};

	/* A new upload; false when the file went back to the form upload. */
	Upload.prototype.create = async function () {
		const f = this.file;
		const r = await this.call('POST', '/multipart',
		    { filename: f.name, type: typeOf(f), metadata: { name: f.name } });
		if (r.status === 404) {
			/* This section takes no parts: one form POST, as for any file. */
			if (f.size > FORM_MAX)
				throw new Fail('Too large for one upload, and this destination does not take ' +
				    'uploads in parts.', 'too_large');
			this.over = true;
			active.delete(this.name);
			this.item.xhr = null;
			this.item.upload();
			return false;
		}
		if (r.status !== 200)
			throw this.refusal(r);
		if (!r.data || typeof r.data.key !== 'string' || typeof r.data.uploadId !== 'string')
			throw new Fail('The upload service gave an answer this page does not understand.',
			    'bad_answer');
		this.key = r.data.key;
		this.id = r.data.uploadId;
		return true;
	};

	Upload.prototype.record = function () {
		save(this.name, { key: this.key, uploadId: this.id, partSize: this.partSize,
		    done: this.done.size, saved: Date.now() });
	};

	Upload.prototype.sizeOf = function (n) {
		return n < this.count ? this.partSize : this.file.size - this.partSize * (this.count - 1);
	};

	/* The lowest part neither sent nor on its way, or 0. */
	Upload.prototype.next = function (from) {
		for (let n = from || 1; n <= this.count; n++)
			if (!this.done.has(n) && !this.flying.has(n))
				return n;
		return 0;
	};

	/* Start what may start; complete when every part is there. */
	Upload.prototype.pump = function () {
		if (this.over || this.paused || this.completing)
			return;
		if (this.done.size === this.count) {
			if (this.flying.size === 0)
				this.complete().catch((e) => this.error(e));
			return;
		}
		while (this.flying.size < PARALLEL) {
			const n = this.next();
			if (n === 0)
				break;
			const u = this.urls.get(n);
			if (!u || Date.now() > u.until) {
				this.sign().catch((e) => this.error(e));
				break;
			}
			this.put(n, u.url);
		}
	};

	/* Part URLs for the next parts that have none (one batch request). */
	Upload.prototype.sign = async function () {
		if (this.signing)
			return;
		const want = [];
		const now = Date.now();
		for (let n = this.next(); n !== 0 && want.length < BATCH; n = this.next(n + 1)) {
			const u = this.urls.get(n);
			if (!u || now > u.until)
				want.push(n);
		}
		if (want.length === 0)
			return;
		this.signing = true;
		let r;
		try {
			/* partNumbers as Uppy sends them: commas, not %2C. */
			r = await this.call('GET', this.path('/batch') + '&partNumbers=' + want.join(','));
		} finally {
			this.signing = false;
		}
		const urls = r.status === 200 && r.data && r.data.presignedUrls;
		if (!urls || typeof urls !== 'object')
			throw r.status === 200 ? new Fail('The upload service gave an answer this page does not ' +
			    'understand.', 'bad_answer') : this.refusal(r);
		const got = Date.now();
		for (const n of want) {
			const url = urls[String(n)];
			if (typeof url !== 'string')
				throw new Fail('The upload service gave no URL for part ' + n + '.', 'bad_answer');
			let life = Number(new URL(url).searchParams.get('x-oss-expires')) * 1000;
			if (!Number.isFinite(life) || life <= 0)
				life = 2 * URL_MARGIN_MS;
			this.urls.set(n, { url, until: got + Math.max(life / 2, life - URL_MARGIN_MS) });
		}
		this.pump();
	};

	/* PUT part n to OSS (no Content-Type: the URL does not sign one). */
	Upload.prototype.put = function (n, url) {
		const xhr = new XMLHttpRequest();
		const slot = { xhr, loaded: 0, timer: null };
		const start = (n - 1) * this.partSize;
		this.flying.set(n, slot);
		xhr.open('PUT', url);
		xhr.upload.onprogress = (ev) => {
			if (this.flying.get(n) !== slot)
				return;
			slot.loaded = ev.loaded;
			this.progress();
		};
		xhr.onload = () => {
			if (this.flying.get(n) !== slot)
				return;
			if (xhr.status < 200 || xhr.status > 299) {
				this.partFailed(n, slot, xhr.status, ossError(xhr));
				return;
			}
			this.flying.delete(n);
			const etag = xhr.getResponseHeader('ETag');
			if (!etag) {
				this.error(new Fail('The storage service hid the part\'s ETag: its CORS rule must ' +
				    'expose ETag. Please tell the site administrator.', 'no_etag'));
				return;
			}
			this.done.set(n, { ETag: etag, Size: this.sizeOf(n) });
			this.urls.delete(n);
			this.tries.delete(n);
			this.record();
			this.progress();
			this.pump();
		};
		xhr.onerror = () => {
			if (this.flying.get(n) === slot)
				this.partFailed(n, slot, 0, null);
		};
		xhr.send(this.file.slice(start, start + this.sizeOf(n)));
	};

	/* A part did not arrive: again after a wait, with a new URL if it expired, or give up. */
	Upload.prototype.partFailed = function (n, slot, status, err) {
		const tries = this.tries.get(n) || 0;
		const expired = status === 403 && err !== null &&
		    (err.code === 'SecurityTokenExpired' || err.code === 'InvalidAccessKeyId' ||
		    (err.code === 'AccessDenied' && EXPIRED.test(err.message)));
		const transient = status === 0 || status === 429 || status >= 500;
		slot.xhr = null;
		slot.loaded = 0;
		if (!expired && !transient) {
			this.flying.delete(n);
			const code = err ? err.code : 'http_' + status;
			this.error(new Fail(code === 'NoSuchUpload' ? MESSAGES.no_such_upload :
			    'The storage service refused part ' + n + ' (' + code +
			    (err && err.message ? ': ' + err.message : '') + ').', code, code === 'NoSuchUpload'));
			return;
		}
		if (tries >= RETRY_MS.length) {
			this.flying.delete(n);
			this.error(new Fail('The upload was interrupted or the storage service could not be ' +
			    'reached. Retry continues where it stopped.', 'network'));
			return;
		}
		this.tries.set(n, tries + 1);
		if (expired)
			this.urls.delete(n);
		this.progress();
		slot.timer = setTimeout(() => {
			if (this.flying.get(n) !== slot)
				return;
			this.flying.delete(n);
			this.pump();
		}, expired ? 0 : RETRY_MS[tries]);
	};

	Upload.prototype.complete = async function () {
		const it = this.item;
		this.completing = true;
		this.showPause();
		it.bar.value = it.bar.max;
		it.status.textContent = 'All ' + this.count + ' parts sent; joining them…';
		const parts = Array.from(this.done.entries()).sort((a, b) => a[0] - b[0])
		    .map(([n, p]) => ({ PartNumber: n, ETag: p.ETag }));
		const r = await this.call('POST', this.path('/complete'), { parts });
		const code = r.data && r.data.error && r.data.error.code;
		/*
		 * 200: {location, key}, or with an upload callback the site's own
		 * answer (XXX wave 2: show it as helper H's upload.js does for a
		 * form upload's).  callback_failed: stored, the site not told.
		 */
		if (r.status !== 200 && code !== 'callback_failed') {
			const f = this.refusal(r);
			if (f.code === 'already_exists')
				this.drop();	/* its parts would wait on OSS for nothing */
			throw f;
		}
		this.over = true;
		active.delete(this.name);
		forget(this.name);
		this.showPause();
		it.keyEl.textContent = r.data && typeof r.data.key === 'string' ? r.data.key : this.key;
		it.result.hidden = false;
		it.finish('done', code === 'callback_failed' ?
		    'Uploaded, but the site was not notified (callback_failed).' :
		    'Uploaded, in ' + this.count + (this.count === 1 ? ' part.' : ' parts.'));
	};

	/* The row's bar and words from the bytes on OSS and on their way. */
	Upload.prototype.progress = function () {
		const it = this.item;
		let bytes = 0;
		for (const p of this.done.values())
			bytes += p.Size;
		for (const s of this.flying.values())
			bytes += s.loaded;
		const pct = this.file.size > 0 ? Math.min(100, Math.floor(bytes * 100 / this.file.size)) : 100;
		it.bar.value = pct;
		it.status.textContent = (this.paused ? 'Paused at ' + pct + '%. Resume continues from there' :
		    'Uploading in parts… ' + pct + '%') + ' (' + this.done.size + ' of ' + this.count + ' parts).';
	};

	/* Stop every request and timer of this upload. */
	Upload.prototype.halt = function (all) {
		for (const s of this.flying.values()) {
			if (s.timer !== null)
				clearTimeout(s.timer);
			if (s.xhr)
				s.xhr.abort();
		}
		this.flying.clear();
		if (all)
			this.ctl.abort();
	};

	/* AbortMultipartUpload, not waited for (the page may be leaving). */
	Upload.prototype.drop = function () {
		if (this.id === null)
			return;
		fetch(this.base + this.path(), { method: 'DELETE', headers: { Accept: 'application/json' },
		    keepalive: true }).catch(() => {});
	};

	/* Cancel (upload.js calls it as item.xhr.abort()): stop, abort on OSS, forget. */
	Upload.prototype.abort = function () {
		if (this.over)
			return;
		this.over = true;
		this.halt(true);
		active.delete(this.name);
		this.drop();
		forget(this.name);
		this.showPause();
	};

	Upload.prototype.error = function (e) {
		if (e === STOP || this.over)
			return;
		if (!(e instanceof Fail))
			e = new Fail('The upload stopped on an error in this page (' + e + ').', 'page_error');
		this.over = true;
		this.halt(true);
		active.delete(this.name);
		if (e.forget)
			forget(this.name);
		else
			notice();
		this.showPause();
		this.item.fail(e.text, e.code);
	};

	Upload.prototype.pause = function () {
		if (this.over || this.completing || this.paused)
			return;
		this.paused = true;
		this.halt(false);
		this.item.li.setAttribute('data-paused', 'true');
		this.showPause();
		this.progress();
	};

	Upload.prototype.resumeNow = function () {
		if (this.over || !this.paused)
			return;
		this.paused = false;
		this.item.li.removeAttribute('data-paused');
		this.showPause();
		this.progress();
		this.pump();
	};

	/* The row's Pause/Resume button: shown while parts can be sent. */
	Upload.prototype.showPause = function () {
		const li = this.item.li;
		let b = li.querySelector('button.pause');
		if (!b) {
			b = document.createElement('button');
			b.type = 'button';
			b.className = 'pause';
			li.querySelector('.actions').prepend(b);
		}
		if (this.over || this.completing || this.id === null) {
			b.hidden = true;
			li.removeAttribute('data-paused');
			if (this.button === b)
				b.onclick = null;
			return;
		}
		this.button = b;
		b.hidden = false;
		b.textContent = this.paused ? 'Resume' : 'Pause';
		b.setAttribute('aria-label', (this.paused ? 'Resume ' : 'Pause ') + this.file.name);
		b.onclick = () => {
			if (this.paused)
				this.resumeNow();
			else
				this.pause();
			b.focus();
		};
	};

	function take(item, section) {
		if (!wants(item.file))
			return false;
		new Upload(item, section).start();
		return true;
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', notice);
	else
		notice();

	window.ossignMultipart = Object.freeze({ wants: wants, take: take, threshold: threshold });
})();
