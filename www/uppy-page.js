/*
 * www/uppy.html's script: Uppy's Dashboard and @uppy/aws-s3, from Uppy's
 * prebuilt bundle (global Uppy), pointed at the Uppy Companion S3 routes
 * that ossign serves.  Nothing here signs or checks anything: ossign does,
 * and Uppy talks to it as it talks to Companion.
 *
 * The bundle comes from next to the page, never from a CDN, from one of two
 * fixed places (a query never names a script's URL):
 *   uppy/uppy.min.js, uppy/uppy.min.css	uppy 6.x (the `uppy` npm package's dist/)
 *   uppy5/uppy.min.js, uppy5/uppy.min.css	uppy 5.x, with uppy.html?uppy=5
 * @uppy/aws-s3 6.x takes the routes' base as `companionEndpoint`, 4.x and
 * 5.x as `endpoint`: the page reads AwsS3.VERSION and gives the one it takes.
 *
 * Settings, as for index.html: <meta name="ossign-s3-url"> (default
 * /ossign), data-upload on <body> (the [upload NAME] section, which the
 * path names: /ossign/NAME/s3/...), <meta name="ossign-multipart-threshold">
 * (bytes; larger files go in parts; default 100 MiB, as Uppy's).  The query
 * may set ?upload=NAME and ?parts=always|never (Uppy's shouldUseMultipart
 * true or false) too.
 */
(function () {
	'use strict';

	const S3_URL = '/ossign';
	const THRESHOLD = 100 * 1024 * 1024;
	const BUNDLES = { 6: 'uppy/', 5: 'uppy5/' };

	const query = new URLSearchParams(location.search);

	function meta(name) {
		const m = document.querySelector('meta[name="' + name + '"]');
		const v = m && m.getAttribute('content');
		return v ? v.trim() : '';
	}

	/* What Uppy's companionEndpoint / endpoint is: .../NAME, without "/s3". */
	function endpoint() {
		const section = query.get('upload') || document.body.getAttribute('data-upload') || '';
		const base = (meta('ossign-s3-url') || S3_URL).replace(/\/+$/, '');
		return new URL(base + (section.trim() ? '/' + encodeURIComponent(section.trim()) : ''),
		    document.baseURI).href;
	}

	function shouldUseMultipart() {
		const parts = query.get('parts');
		if (parts === 'always')
			return true;
		if (parts === 'never')
			return false;
		const n = Number(meta('ossign-multipart-threshold'));
		const t = meta('ossign-multipart-threshold') !== '' && Number.isSafeInteger(n) && n >= 0 ?
		    n : THRESHOLD;
		return (file) => (file.size || 0) > t;
	}

	function load(dir) {
		return new Promise((resolve, reject) => {
			const css = document.createElement('link');
			css.rel = 'stylesheet';
			css.href = dir + 'uppy.min.css';
			document.head.appendChild(css);
			const js = document.createElement('script');
			js.src = dir + 'uppy.min.js';
			js.onload = resolve;
			js.onerror = () => reject(new Error(dir + 'uppy.min.js did not load'));
			document.head.appendChild(js);
		});
	}

	function shown(file, text, key) {
		const li = document.createElement('li');
		li.className = 'file';
		li.setAttribute('data-name', file.name);
		const head = document.createElement('div');
		head.className = 'file-head';
		const name = document.createElement('span');
		name.className = 'name';
		name.textContent = file.name;
		head.appendChild(name);
		li.appendChild(head);
		const p = document.createElement('p');
		p.className = 'status';
		p.textContent = text;
		if (key) {
			const code = document.createElement('code');
			code.className = 'key';
			code.textContent = key;
			p.appendChild(code);
		}
		li.appendChild(p);
		document.getElementById('done').appendChild(li);
		document.getElementById('done-title').hidden = false;
	}

	function start() {
		const U = window.Uppy;
		const generation = parseInt(String(U.AwsS3.VERSION), 10);
		const opts = { shouldUseMultipart: shouldUseMultipart() };
		if (generation >= 6)
			opts.companionEndpoint = endpoint();
		else
			opts.endpoint = endpoint();
		const uppy = new U.Uppy({ id: 'ossign', autoProceed: false })
		    .use(U.Dashboard, { inline: true, target: '#dashboard', height: 420, theme: 'auto',
			showProgressDetails: true, proudlyDisplayPoweredByUppy: false })
		    .use(U.AwsS3, opts);
		uppy.on('upload-success', (file, res) => {
			const body = res && res.body ? res.body : {};
			shown(file, 'Saved as ', typeof body.key === 'string' ? body.key : res.uploadURL || '');
		});
		uppy.on('upload-error', (file, err) => {
			shown(file, 'Not uploaded: ' + (err && err.message ? err.message : String(err)));
		});
		/* For browser tests and the curious. */
		window.ossignUppy = { uppy, generation, version: U.AwsS3.VERSION, options: opts };
	}

	const dir = BUNDLES[query.get('uppy') === '5' ? 5 : 6];
	load(dir).then(start, () => {
		document.getElementById('missing').hidden = false;
	});
})();
