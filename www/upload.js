/*
 * ossign upload page: ask the signer for a PostObject V4 signature per file,
 * then POST the file straight to the OSS bucket.  Several files picked or
 * dropped at once are signed with one batch request (POST JSON to the same
 * URL); a signer without batch signing (404/405) gets one GET per file.
 *
 * The signing URL is set here, and only here. A page may override it with
 * <meta name="ossign-url" content="...">.
 * The upload section (ossign.conf [upload NAME]) comes from data-upload on
 * <main id="uploader"> (or on <body>); without it the signer uses its default.
 */
(function () {
	'use strict';

	const SIGN_URL = '/get_post_signature_for_oss_upload';
	const MAX_PARALLEL = 3;		/* files uploading at the same time */
	const DEFAULT_TYPE = 'application/octet-stream';
	const ANSWER_SHOWN = 500;	/* characters of a callback's answer shown */
	const BATCH_MAX = 100;		/* files per batch request (ossign's default batch_max) */
	const FRESH_MS = 60000;		/* a batch signature with less left is fetched again */

	const STATES = ['queued', 'signing', 'uploading', 'done', 'error', 'cancelled'];
	const ACTIVE = new Set(['queued', 'signing', 'uploading']);

	/* Messages for the signer's JSON error codes (HACKING.md, "Errors"). */
	const SIGNER_ERRORS = {
		too_large: 'Too large: this file is bigger than the server accepts.',
		too_small: 'Too small: this file is smaller than the server accepts.',
		type_not_allowed: 'This kind of file is not accepted here.',
		invalid_filename: 'The file name is not allowed. Rename the file and try again.',
		unknown_upload: 'This page points to an upload destination the server does not know. ' +
		    'Please tell the site administrator.',
		authentication_required: 'Please sign in before uploading.',
		credentials_unavailable: 'The upload service is temporarily unavailable. Try again in a few minutes.',
		credentials_refused: 'The upload service is temporarily unavailable. Try again in a few minutes.',
		request_too_large: 'The request was too large for the upload service. Is the file name very long?'
	};

	/* OSS answers that mean "the signature is no longer good": get a new one. */
	const EXPIRED_CODES = new Set(['InvalidAccessKeyId', 'SecurityTokenExpired']);
	const EXPIRED_MESSAGES = /policy expired|request has expired|token.*expired|expired.*token/i;

	const CONFIG_CODES = new Set(['SignatureDoesNotMatch', 'InvalidPolicyDocument']);

	const root = document.getElementById('uploader');
	const input = document.getElementById('file-input');
	const zone = document.getElementById('drop-zone');
	const list = document.getElementById('file-list');
	const listTitle = document.getElementById('list-title');
	const announcer = document.getElementById('announcer');

	const items = [];
	let running = 0;
	let batchSigning = true;	/* false once the signer answered a batch 404/405 */

	/* Configuration, read when needed so a test can change it on the fly. */

	function signingUrl() {
		const meta = document.querySelector('meta[name="ossign-url"]');
		const url = meta && meta.getAttribute('content');
		return url && url.trim() !== '' ? url.trim() : SIGN_URL;
	}

	function uploadName() {
		const el = root && root.hasAttribute('data-upload') ? root : document.body;
		const name = el.getAttribute('data-upload');
		return name ? name.trim() : '';
	}

	/* Small helpers. */

	function formatSize(n) {
		if (!Number.isFinite(n) || n < 0)
			return '';
		if (n < 1024)
			return n + (n === 1 ? ' byte' : ' bytes');
		const units = ['KB', 'MB', 'GB', 'TB'];
		let v = n, i = -1;
		do {
			v /= 1024;
			i++;
		} while (v >= 1024 && i < units.length - 1);
		return (v < 10 ? v.toFixed(1) : Math.round(v)) + ' ' + units[i];
	}

	function typeOf(file) {
		return file.type && file.type !== '' ? file.type : DEFAULT_TYPE;
	}

	function announce(text) {
		announcer.textContent = text;
	}

	function el(tag, cls, text) {
		const e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text !== undefined)
			e.textContent = text;
		return e;
	}

	/* Parse an OSS XML error body; null when it is not one. */
	function parseOssError(text) {
		if (!text || text.indexOf('<') === -1)
			return null;
		let doc;
		try {
			doc = new DOMParser().parseFromString(text, 'application/xml');
		} catch (e) {
			return null;
		}
		if (!doc || doc.getElementsByTagName('parsererror').length > 0)
			return null;
		const code = doc.getElementsByTagName('Code')[0];
		if (!code)
			return null;
		const msg = doc.getElementsByTagName('Message')[0];
		return {
			code: code.textContent.trim(),
			message: msg ? msg.textContent.trim() : ''
		};
	}

	function isExpired(err) {
		if (EXPIRED_CODES.has(err.code))
			return true;
		return err.code === 'AccessDenied' && EXPIRED_MESSAGES.test(err.message);
	}

	/* One file: its row, its requests, its state. */

	function Item(file) {
		this.file = file;
		this.state = '';
		this.sign = null;	/* the signer's answer */
		this.xhr = null;	/* the request in flight, signing or upload */
		this.renewed = false;	/* already fetched a new signature once */
		this.counted = false;	/* counts in running (started, not finished) */
		this.batch = null;	/* the batch request signing it, while it does */
		this.presigned = null;	/* its entry of a batch answer, not used yet */
		this.build();
		this.setState('queued', 'Waiting to start…');
	}

	Item.prototype.build = function () {
		const f = this.file;
		const li = el('li', 'file');
		li.setAttribute('data-name', f.name);

		const head = el('div', 'file-head');
		head.appendChild(el('span', 'name', f.name));
		head.appendChild(el('span', 'size', formatSize(f.size)));
		li.appendChild(head);

		const bar = el('progress', 'progress');
		bar.max = 100;
		bar.value = 0;
		bar.setAttribute('aria-label', 'Upload progress for ' + f.name);
		li.appendChild(bar);

		const status = el('p', 'status');
		li.appendChild(status);

		const result = el('p', 'result');
		result.appendChild(document.createTextNode('Saved as '));
		const key = el('code', 'key');
		result.appendChild(key);
		result.hidden = true;
		li.appendChild(result);

		const actions = el('div', 'actions');
		const cancel = el('button', 'cancel', 'Cancel');
		cancel.type = 'button';
		cancel.setAttribute('aria-label', 'Cancel ' + f.name);
		const retry = el('button', 'retry', 'Retry');
		retry.type = 'button';
		retry.setAttribute('aria-label', 'Retry ' + f.name);
		retry.hidden = true;
		actions.appendChild(cancel);
		actions.appendChild(retry);
		li.appendChild(actions);

		cancel.addEventListener('click', () => {
			this.cancel();
			if (!retry.hidden)
				retry.focus();
		});
		retry.addEventListener('click', () => {
			this.retry();
			if (!cancel.hidden)
				cancel.focus();
		});

		this.li = li;
		this.bar = bar;
		this.status = status;
		this.result = result;
		this.keyEl = key;
		this.cancelBtn = cancel;
		this.retryBtn = retry;
	};

	Item.prototype.setState = function (state, text, code) {
		if (STATES.indexOf(state) === -1)
			throw new Error('bad state ' + state);
		this.state = state;
		this.li.setAttribute('data-state', state);
		if (code)
			this.li.setAttribute('data-error', code);
		else
			this.li.removeAttribute('data-error');
		this.status.textContent = text;
		this.cancelBtn.hidden = !ACTIVE.has(state);
		this.retryBtn.hidden = state !== 'error' && state !== 'cancelled';
		if (state === 'signing')
			this.bar.removeAttribute('value');	/* indeterminate */
		else if (state === 'queued' || state === 'uploading')
			this.bar.value = 0;
		else if (state === 'done')
			this.bar.value = this.bar.max;
		else
			this.bar.value = 0;	/* nothing stored; also stops the indeterminate look */
		if (state !== 'done') {
			this.result.hidden = true;
			this.showAnswer(null);
		}
	};

	/*
	 * Upload callbacks (ossign.conf callback_url): OSS called the site once the
	 * file was stored and hands the upload the site's answer; show it (text, at
	 * most ANSWER_SHOWN characters). null removes it.
	 */
	Item.prototype.showAnswer = function (text) {
		if (this.answerEl) {
			this.answerEl.remove();
			this.answerEl = null;
		}
		if (text === null)
			return;
		const p = el('p', 'callback-answer');
		p.appendChild(document.createTextNode('The site answered: '));
		p.appendChild(el('code', null, text.length > ANSWER_SHOWN ?
		    text.slice(0, ANSWER_SHOWN) + '…' : text));
		this.li.insertBefore(p, this.result.nextSibling);
		this.answerEl = p;
	};

	Item.prototype.finish = function (state, text, code) {
		this.xhr = null;
		this.batch = null;
		this.setState(state, text, code);
		const f = this.file.name;
		if (state === 'done')
			announce(f + ': uploaded.');
		else if (state === 'error')
			announce(f + ': ' + text);
		else if (state === 'cancelled')
			announce(f + ': cancelled.');
		/* A file refused by a batch answer never started. */
		if (this.counted) {
			this.counted = false;
			running--;
		}
		pump();
	};

	Item.prototype.fail = function (text, code) {
		this.finish('error', text, code);
	};

	Item.prototype.cancel = function () {
		if (!ACTIVE.has(this.state))
			return;
		const xhr = this.xhr;
		if (this.state === 'queued') {
			/* Never started: nothing to abort, not counted as running. */
			this.setState('cancelled', 'Cancelled.', 'cancelled');
			announce(this.file.name + ': cancelled.');
			return;
		}
		this.xhr = null;	/* so its abort event is ignored */
		if (xhr)
			xhr.abort();
		this.finish('cancelled', 'Cancelled.', 'cancelled');
	};

	Item.prototype.retry = function () {
		if (this.state !== 'error' && this.state !== 'cancelled')
			return;
		this.renewed = false;
		this.sign = null;
		this.presigned = null;
		this.setState('queued', 'Waiting to start…');
		pump();
	};

	Item.prototype.start = function () {
		running++;
		this.counted = true;
		const pre = this.presigned;
		this.presigned = null;
		/* Signed by a batch: upload with it while it has time left. */
		if (pre && Date.parse(pre.expiration) - Date.now() > FRESH_MS)
			this.onSignature(200, pre);
		else
			this.requestSignature();
	};

	/* Step 1: GET the signing URL with this file's name, type and size. */
	Item.prototype.requestSignature = function () {
		const f = this.file;
		this.setState('signing', this.renewed ?
		    'The upload permission expired; getting a new one…' :
		    'Getting permission to upload…');

		let url;
		try {
			url = new URL(signingUrl(), document.baseURI);
		} catch (e) {
			this.fail('The upload page is misconfigured (bad signing URL).', 'bad_sign_url');
			return;
		}
		url.searchParams.set('filename', f.name);
		url.searchParams.set('content_type', typeOf(f));
		/* A file that may go in parts (multipart.js) is signed without its
		 * size: the signer refuses a form above 5 GiB; the answer's limits
		 * are checked below all the same. */
		if (!window.ossignMultipart || !window.ossignMultipart.wants(f))
			url.searchParams.set('size', String(f.size));
		const upload = uploadName();
		if (upload !== '')
			url.searchParams.set('upload', upload);

		const xhr = new XMLHttpRequest();
		this.xhr = xhr;
		xhr.open('GET', url.href);
		xhr.setRequestHeader('Accept', 'application/json');
		xhr.responseType = 'text';
		xhr.onload = () => {
			if (this.xhr !== xhr)
				return;
			this.onSignature(xhr.status, xhr.responseText);
		};
		xhr.onerror = () => {
			if (this.xhr !== xhr)
				return;
			this.fail('Could not reach the upload service. Check your connection and try again.',
			    'network');
		};
		xhr.onabort = () => {
			if (this.xhr === xhr)
				this.finish('cancelled', 'Cancelled.', 'cancelled');
		};
		xhr.send();
	};

	/* body: the answer's text, or an entry of a batch answer (parsed). */
	Item.prototype.onSignature = function (status, body) {
		let data = null;
		if (body !== null && typeof body === 'object') {
			data = body;
		} else {
			try {
				data = JSON.parse(body);
			} catch (e) {
				data = null;
			}
		}

		if (status < 200 || status > 299) {
			const err = data && data.error;
			if (err && typeof err.code === 'string') {
				let text = Object.prototype.hasOwnProperty.call(SIGNER_ERRORS, err.code) ?
				    SIGNER_ERRORS[err.code] : null;
				if (err.code === 'type_not_allowed')
					text = 'Files of type ' + typeOf(this.file) + ' are not accepted here.';
				if (!text)
					text = typeof err.message === 'string' && err.message !== '' ?
					    'The upload service refused: ' + err.message :
					    'The upload service refused (' + err.code + ').';
				this.fail(text, err.code);
			} else {
				this.fail('The upload service could not give permission (HTTP ' + status + ').',
				    'http_' + status);
			}
			return;
		}

		if (!data || typeof data !== 'object' || typeof data.host !== 'string') {
			this.fail('The upload service gave an answer this page does not understand.',
			    'bad_signature');
			return;
		}
		let host;
		try {
			host = new URL(data.host, document.baseURI);
		} catch (e) {
			host = null;
		}
		if (!host || (host.protocol !== 'https:' && host.protocol !== 'http:')) {
			this.fail('The upload service gave an answer this page does not understand.',
			    'bad_signature');
			return;
		}
		this.sign = data;
		this.host = host.href;

		/* Check what the server will refuse anyway, before sending any bytes. */
		const size = this.file.size;
		if (Number.isFinite(data.max_size) && size > data.max_size) {
			this.fail('Too large: this file is ' + formatSize(size) + ', the limit is ' +
			    formatSize(data.max_size) + '.', 'too_large');
			return;
		}
		if (Number.isFinite(data.min_size) && size < data.min_size) {
			this.fail('Too small: this file is ' + formatSize(size) + ', the minimum is ' +
			    formatSize(data.min_size) + '.', 'too_small');
			return;
		}
		if (Array.isArray(data.content_types) && data.content_types.length > 0 &&
		    data.content_types.indexOf(typeOf(this.file)) === -1) {
			this.fail('Files of type ' + typeOf(this.file) + ' are not accepted here. Allowed: ' +
			    data.content_types.join(', ') + '.', 'type_not_allowed');
			return;
		}
		/* Above the threshold: in parts, through ossign's s3 routes (multipart.js). */
		if (window.ossignMultipart && window.ossignMultipart.take(this, uploadName()))
			return;
		this.upload();
	};

	/*
	 * The form fields, in the order the signer gave them, file last.
	 * A signer without "fields" (the vendor guide's answer) gets the guide's
	 * field set instead. Returns [formData, key].
	 */
	Item.prototype.buildForm = function () {
		const d = this.sign;
		const fd = new FormData();
		let key = null;

		if (d.fields && typeof d.fields === 'object') {
			if (typeof d.fields.key !== 'string') {
				/* Signed without a filename: the key is dir + our name. */
				key = (d.dir || '') + this.file.name;
				fd.append('key', key);
			}
			for (const [name, value] of Object.entries(d.fields)) {
				/* The file goes last, once, and only ours. */
				if (value === null || value === undefined || name.toLowerCase() === 'file')
					continue;
				fd.append(name, String(value));
				if (name.toLowerCase() === 'key')
					key = String(value);
			}
		} else {
			key = typeof d.key === 'string' ? d.key : (d.dir || '') + this.file.name;
			fd.append('key', key);
			fd.append('policy', d.policy);
			fd.append('x-oss-signature-version', d.x_oss_signature_version || 'OSS4-HMAC-SHA256');
			fd.append('x-oss-credential', d.x_oss_credential);
			fd.append('x-oss-date', d.x_oss_date);
			fd.append('x-oss-signature', d.signature);
			if (d.security_token)
				fd.append('x-oss-security-token', d.security_token);
		}
		fd.append('file', this.file);
		/* OSS puts the file's name where the key says ${filename}. */
		return [fd, key.split('${filename}').join(this.file.name)];
	};

	/* Step 2: POST the form to the bucket. */
	Item.prototype.upload = function () {
		const [form, key] = this.buildForm();
		this.setState('uploading', 'Uploading… 0%');

		const xhr = new XMLHttpRequest();
		this.xhr = xhr;
		xhr.open('POST', this.host);
		xhr.responseType = 'text';
		xhr.upload.onprogress = (ev) => {
			if (this.xhr !== xhr || !ev.lengthComputable || ev.total === 0)
				return;
			const pct = Math.min(100, Math.floor(ev.loaded * 100 / ev.total));
			this.bar.value = pct;
			this.status.textContent = 'Uploading… ' + pct + '%';
		};
		xhr.upload.onload = () => {
			if (this.xhr !== xhr)
				return;
			this.bar.value = this.bar.max;
			this.status.textContent = 'Sent; waiting for the storage service to confirm…';
		};
		xhr.onload = () => {
			if (this.xhr !== xhr)
				return;
			this.onUploaded(xhr.status, xhr.responseText, key);
		};
		xhr.onerror = () => {
			if (this.xhr !== xhr)
				return;
			this.fail('The upload was interrupted or the storage service could not be reached. ' +
			    'Check your connection and try again.', 'network');
		};
		xhr.onabort = () => {
			if (this.xhr === xhr)
				this.finish('cancelled', 'Cancelled.', 'cancelled');
		};
		xhr.send(form);
	};

	Item.prototype.onUploaded = function (status, body, key) {
		const err = parseOssError(body);

		if (status >= 200 && status <= 299) {
			this.xhr = null;
			this.keyEl.textContent = key;
			this.result.hidden = false;
			/* 203 CallbackFailed: stored, but the site's server was not told. */
			const text = err && err.code === 'CallbackFailed' ?
			    'Uploaded, but the site was not notified (CallbackFailed).' : 'Uploaded.';
			this.finish('done', text);
			/* With a callback, a 200's body is what the site answered OSS. */
			if (status === 200 && this.sign && this.sign.fields &&
			    typeof this.sign.fields.callback === 'string' && body) {
				let shown = body;
				try {
					shown = JSON.stringify(JSON.parse(body));
				} catch (e) {
					/* shown as it came */
				}
				this.showAnswer(shown);
			}
			return;
		}

		if (!err) {
			this.fail('The storage service refused the upload (HTTP ' + status + ').',
			    'http_' + status);
			return;
		}

		if (isExpired(err)) {
			if (!this.renewed) {
				/* Signed too long ago (or the token ran out): once more, freshly signed. */
				this.renewed = true;
				this.xhr = null;
				this.requestSignature();
				return;
			}
			this.fail('The upload permission (signature) expired, and a new one was refused too. ' +
			    'Try again later. (' + err.code + ': ' + err.message + ')', err.code);
			return;
		}

		let text;
		switch (err.code) {
		case 'EntityTooLarge':
			text = 'Too large: the storage service refused this file because of its size.';
			break;
		case 'EntityTooSmall':
			text = 'Too small: the storage service refused this file because of its size.';
			break;
		case 'FileAlreadyExists':
			text = 'A file with this name already exists. Rename the file and try again.';
			break;
		default:
			if (CONFIG_CODES.has(err.code))
				text = 'The upload service is misconfigured (a server configuration problem: ' +
				    err.code + '). Please tell the site administrator.';
			else
				text = err.message !== '' ? err.code + ': ' + err.message : err.code;
		}
		this.fail(text, err.code);
	};

	/*
	 * Batch signing: one POST for up to BATCH_MAX files, answered with one
	 * entry per file (the GET answer, or that file's error).
	 */
	function signBatch(batch) {
		for (let i = 0; i < batch.length; i += BATCH_MAX)
			signChunk(batch.slice(i, i + BATCH_MAX));
	}

	function signChunk(chunk) {
		const token = {};
		for (const it of chunk) {
			it.batch = token;
			it.setState('signing', 'Getting permission to upload…');
		}
		let url;
		try {
			url = new URL(signingUrl(), document.baseURI);
		} catch (e) {
			for (const it of chunk)
				it.fail('The upload page is misconfigured (bad signing URL).', 'bad_sign_url');
			return;
		}
		/* A file that goes in parts is signed without its size (the
		   signer refuses a form above 5 GiB), as a single GET does. */
		const body = {
			files: chunk.map((it) => {
				const f = { filename: it.file.name, content_type: typeOf(it.file) };
				if (!window.ossignMultipart || !window.ossignMultipart.wants(it.file))
					f.size = it.file.size;
				return f;
			})
		};
		const upload = uploadName();
		if (upload !== '')
			body.upload = upload;
		const xhr = new XMLHttpRequest();
		xhr.open('POST', url.href);
		xhr.setRequestHeader('Content-Type', 'application/json');
		xhr.setRequestHeader('Accept', 'application/json');
		xhr.responseType = 'text';
		xhr.onload = () => onBatch(chunk, token, xhr.status, xhr.responseText);
		xhr.onerror = () => onBatch(chunk, token, 0, '');
		xhr.send(JSON.stringify(body));
	}

	function onBatch(chunk, token, status, text) {
		/* Files cancelled meanwhile are left alone. */
		const waiting = new Set(chunk.filter((it) => it.batch === token && it.state === 'signing'));
		for (const it of waiting)
			it.batch = null;
		let data = null;
		try {
			data = JSON.parse(text);
		} catch (e) {
			data = null;
		}
		const entries = data && Array.isArray(data.uploads) &&
		    data.uploads.length === chunk.length ? data.uploads : null;
		if (status === 404 || status === 405 || status === 400 || status === 413 ||
		    status === 415 || (status >= 200 && status <= 299 && !entries)) {
			/*
			 * A signer without batch signing (404/405: an older
			 * ossign), or a batch it will not take as a whole (more
			 * than its batch_max, a name it cannot read): one GET
			 * per file, each answered for itself.
			 */
			if (status === 404 || status === 405)
				batchSigning = false;
			for (const it of waiting)
				it.setState('queued', 'Waiting to start…');
			pump();
			return;
		}
		if (status === 0) {
			for (const it of waiting)
				it.fail('Could not reach the upload service. Check your connection and try again.',
				    'network');
			return;
		}
		if (status < 200 || status > 299) {
			/* Refused as a whole (sign in, too many requests...): each file says why. */
			for (const it of waiting)
				it.onSignature(status, text);
			return;
		}
		chunk.forEach((it, i) => {
			if (!waiting.has(it))
				return;
			const e = entries[i];
			if (!e || typeof e !== 'object' || e.error) {
				it.onSignature(e && e.error ? 400 : 502, e);
			} else if (running < MAX_PARALLEL) {
				/* Straight on to the upload. */
				it.presigned = e;
				it.start();
			} else {
				it.presigned = e;
				it.setState('queued', 'Ready; waiting for the uploads before it…');
			}
		});
		pump();
	}

	/* The queue. */

	function pump() {
		for (const it of items) {
			if (running >= MAX_PARALLEL)
				break;
			if (it.state === 'queued')
				it.start();
		}
	}

	function addFiles(files) {
		const added = [];
		for (const f of Array.from(files || [])) {
			if (!(f instanceof File))
				continue;
			const it = new Item(f);
			items.push(it);
			list.appendChild(it.li);
			added.push(it);
		}
		if (added.length === 0)
			return 0;
		listTitle.hidden = false;
		announce(added.length === 1 ? '1 file added.' : added.length + ' files added.');
		/* Several at once: one request signs them all. */
		if (added.length > 1 && batchSigning)
			signBatch(added);
		pump();
		return added.length;
	}

	/* Picking and dropping. */

	function openPicker() {
		input.click();
	}

	input.addEventListener('change', () => {
		addFiles(input.files);
		input.value = '';	/* picking the same file again fires change again */
	});

	zone.addEventListener('click', openPicker);
	zone.addEventListener('keydown', (ev) => {
		if (ev.key === 'Enter' || ev.key === ' ' || ev.key === 'Spacebar') {
			ev.preventDefault();
			openPicker();
		}
	});

	let dragDepth = 0;
	zone.addEventListener('dragenter', (ev) => {
		ev.preventDefault();
		dragDepth++;
		zone.classList.add('is-dragover');
	});
	zone.addEventListener('dragleave', () => {
		dragDepth = Math.max(0, dragDepth - 1);
		if (dragDepth === 0)
			zone.classList.remove('is-dragover');
	});
	zone.addEventListener('dragover', (ev) => {
		ev.preventDefault();
		if (ev.dataTransfer)
			ev.dataTransfer.dropEffect = 'copy';
	});
	zone.addEventListener('drop', (ev) => {
		ev.preventDefault();
		dragDepth = 0;
		zone.classList.remove('is-dragover');
		const dt = ev.dataTransfer;
		if (!dt)
			return;
		const files = [];
		let folders = 0;
		if (dt.items && dt.items.length > 0) {
			for (const item of Array.from(dt.items)) {
				if (item.kind !== 'file')
					continue;
				const entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
				if (entry && entry.isDirectory) {
					folders++;
					continue;
				}
				const f = item.getAsFile();
				if (f)
					files.push(f);
			}
		} else {
			files.push(...Array.from(dt.files || []));
		}
		addFiles(files);
		if (folders > 0)
			announce('Folders cannot be uploaded; drop the files inside them instead.');
	});

	/* A file dropped beside the zone must not make the browser leave the page. */
	for (const type of ['dragover', 'drop']) {
		window.addEventListener(type, (ev) => {
			if (!zone.contains(ev.target))
				ev.preventDefault();
		});
	}

	/* For browser tests only. */
	window.ossignUpload = Object.freeze({
		signingUrl: signingUrl,
		uploadName: uploadName,
		addFiles: addFiles,
		states: function () {
			return items.map((it) => ({ name: it.file.name, state: it.state }));
		},
		batchSigning: function () {
			return batchSigning;
		}
	});
})();
