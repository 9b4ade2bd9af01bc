'use strict';
/*
 * tests/emu/oss-callback.js: OSS's upload callbacks for the OSS emulator (tests/emu/oss.js), as the
 * emulator's callback hook (`callback` option; `--callback-key` on its command line).
 *
 *   const hook = makeCallbackHook({ privateKey, keyUrl, timeoutMs, ca });
 *   const emu = new Emulator({ ..., callback: hook, routes: hook.routes });
 *   hook.attach(emu);
 *
 * After an upload with a `callback` form field is stored, it does what OSS does: decode the field,
 * fill the system and x: variables into callbackBody, sign the request with a TEST RSA key (OSS
 * signs with its own; tests pin the test key's public half in ossign with callback_public_key, or
 * serve it at a URL ossign's callback_key_urls allows), POST it to each callbackUrl in turn until
 * one succeeds, and answer the browser with the callback's answer, or 203 CallbackFailed.
 *
 * The rules, and where each comes from:
 *   [CB]   Callback, https://help.aliyun.com/en/oss/developer-reference/callback (and its Chinese
 *          original https://www.alibabacloud.com/help/zh/oss/developer-reference/callback): the
 *          `callback` parameter is base64 of JSON with callbackUrl (required; up to 5 URLs separated
 *          by ';', tried in turn "until the first returns success"), callbackHost (the Host header;
 *          default: the URL's host), callbackBody (required), callbackSNI, callbackBodyType
 *          (application/x-www-form-urlencoded, the default, or application/json); the system
 *          variables bucket, object, etag, size, mimeType, imageInfo.height, imageInfo.width,
 *          imageInfo.format (empty for a file that is not an image), crc64, contentMd5, vpcId,
 *          clientIp, reqId, operation; custom variables x:NAME, in PostObject as form fields; the
 *          request is a POST with Authorization (base64 of the RSA signature) and x-oss-pub-key-url
 *          (base64 of the key's URL); the answer must come within 5 seconds, status 200, a JSON
 *          body with a valid Content-Length; OSS does not retry; OSS passes the answer to the
 *          client; a failed callback does not undo the upload.
 *   [CBF]  "The callback configuration is not json format",
 *          https://help.aliyun.com/en/oss/how-to-solve-the-the-callback-configuration-is-not-json-format-error-returned-after-a-callback-request-is-sent:
 *          form bodies get URL-encoded values; JSON bodies get values "based on the JSON format":
 *          a string variable with its own quotes ({"object":${object}}); a body that is not JSON
 *          once filled is refused with InvalidArgument "The callback configuration is not json
 *          format."
 *   [SIG]  the signed string, as OSS's callback samples verify it (and tests/data/oss-callbacks/,
 *          two real callbacks): urldecode(path), then "?" and the raw query when there is one,
 *          then "\n", then the body; RSA PKCS#1 v1.5 with MD5.
 *   [203]  the upload's answer on a failed callback: 203 with an XML error, Code CallbackFailed
 *          [CB]; the Message names what failed (emulator wording).
 *   [REAL] cloudreve's real callback (tests/data/oss-callbacks/cloudreve.txt): in a JSON body
 *          ${size} and ${imageInfo.width}/${imageInfo.height} are bare numbers (also inside a
 *          string constant: "pic_info":"${imageInfo.width},${imageInfo.height}").
 * Emulator choices (not documented by OSS): ${etag} is the ETag without its quotes, upper case
 * (the examples in [CB]); ${crc64} is CRC-64/XZ (x-oss-hash-crc64ecma) of the bytes, decimal, a
 * JSON string (src/callback.c takes every variable but the sizes for one); ${contentMd5} is base64
 * of the MD5; ${vpcId} is empty; ${operation} is PostObject; ${clientIp} the socket's address;
 * an unknown or absent variable becomes empty (in JSON: "" for strings, nothing for numbers);
 * imageInfo is read for PNG, GIF and JPEG; answers are taken up to 1 MB, the limit ossign's
 * issue 10 works to ([CB] says 3 MB); a URL without a scheme is http.  Callbacks to https URLs
 * trust `ca` (PEM) besides the system's, and send callbackHost as SNI when callbackSNI is true.
 *
 * Also here, until helper K's V4 header verification lands in the emulator (XXX wave 2: merge with
 * helper K's tests/emu/oss-multipart.js): HEAD /<key> signed in the V4 header form, checked with
 * ali-oss's own signUtils.authorizationV4 against the ledger's keys, answering as the owner's HEAD
 * would (ossign's callback_verify_object); an unsigned HEAD goes to the emulator's anonymous rules.
 * And GET /_emu/callbacks: every callback made, [{url, status, ok, reason}] (newest last).
 */

const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');
const crypto = require('node:crypto');
const path = require('node:path');

const signUtils = require('ali-oss/lib/common/signUtils.js');
const { OssError } = require('./oss.js');

const OSS_KEY_URL = 'https://gosspublic.alicdn.com/callback_pub_key_v1.pem';
const TYPES = ['application/x-www-form-urlencoded', 'application/json'];
const NUMBERS = new Set(['size', 'imageInfo.height', 'imageInfo.width']);
const SYSTEM = new Set(['bucket', 'object', 'etag', 'size', 'mimeType', 'imageInfo.height',
  'imageInfo.width', 'imageInfo.format', 'crc64', 'contentMd5', 'vpcId', 'clientIp', 'reqId',
  'operation']);
const LIMITS = Object.freeze({ URLS: 5, TIMEOUT_MS: 5000, ANSWER_MAX: 1024 * 1024, SKEW_MS: 15 * 60 * 1000 });

const badCallback = (why) => new OssError(400, 'InvalidArgument', why, '0010-00000001');
const notJson = () => new OssError(400, 'InvalidArgument', 'The callback configuration is not json format.',
  '0010-00000002');

/* ------------------------------------------------------------------ the callback field */

/* The `callback` field's JSON, checked [CB]; throws InvalidArgument. */
function parseCallbackField(b64) {
  if (typeof b64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw badCallback('The callback parameter is not valid base64.');
  }
  let c;
  try {
    c = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  } catch (e) {
    throw badCallback('The callback parameter is not a JSON object.');
  }
  if (!c || typeof c !== 'object' || Array.isArray(c)) throw badCallback('The callback parameter is not a JSON object.');
  if (typeof c.callbackUrl !== 'string' || c.callbackUrl === '') throw badCallback('callbackUrl is missing.');
  if (typeof c.callbackBody !== 'string' || c.callbackBody === '') throw badCallback('callbackBody is missing.');
  const type = c.callbackBodyType === undefined ? TYPES[0] : c.callbackBodyType;
  if (!TYPES.includes(type)) throw badCallback('callbackBodyType is not supported.');
  if (c.callbackHost !== undefined && typeof c.callbackHost !== 'string') throw badCallback('callbackHost is invalid.');
  if (c.callbackSNI !== undefined && typeof c.callbackSNI !== 'boolean') throw badCallback('callbackSNI is invalid.');
  const urls = c.callbackUrl.split(';');
  if (urls.length > LIMITS.URLS) throw badCallback('Too many callback URLs.');
  const parsed = urls.map((u) => {
    const full = /^https?:\/\//i.test(u) ? u : `http://${u}`;
    try {
      return { raw: full, url: new URL(full) };
    } catch (e) {
      throw badCallback(`The callback URL ${u} is invalid.`);
    }
  });
  const cfg = { urls: parsed, body: c.callbackBody, type, host: c.callbackHost || null, sni: c.callbackSNI === true };
  // [CBF]: a JSON body must still be JSON once filled (checked with stand-ins, before the upload).
  if (type === TYPES[1]) {
    try {
      JSON.parse(fillBody(cfg.body, type, (name) => (NUMBERS.has(name) ? 0 : 'x')));
    } catch (e) {
      throw notJson();
    }
  }
  return cfg;
}

/*
 * callbackBody with every ${name} replaced [CB, CBF, REAL]: get(name) is the value, or undefined.
 * Form: URL-encoded.  JSON: strings JSON-quoted, numbers bare (empty when absent).
 */
function fillBody(template, type, get) {
  return template.replace(/\$\{([^}]*)\}/g, (m, name) => {
    const v = get(name);
    if (type === TYPES[0]) return v === undefined || v === null ? '' : encodeURIComponent(String(v));
    if (NUMBERS.has(name)) return v === undefined || v === null || v === '' ? '' : String(v);
    return JSON.stringify(v === undefined || v === null ? '' : String(v));
  });
}

/* ------------------------------------------------------------------ system variables */

/* CRC-64/XZ (ECMA-182 polynomial, reflected), as x-oss-hash-crc64ecma. */
const CRC64_TABLE = (() => {
  const poly = 0xC96C5795D7870F42n;
  const t = [];
  for (let i = 0n; i < 256n; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = (c & 1n) ? (c >> 1n) ^ poly : c >> 1n;
    t.push(c);
  }
  return t;
})();
function crc64(buf) {
  let c = 0xFFFFFFFFFFFFFFFFn;
  for (const b of buf) c = CRC64_TABLE[Number((c ^ BigInt(b)) & 0xFFn)] ^ (c >> 8n);
  return (c ^ 0xFFFFFFFFFFFFFFFFn).toString();
}

/* {width, height, format} of a PNG, GIF or JPEG, or null. */
function imageInfo(buf) {
  if (buf.length >= 24 && buf.readUInt32BE(0) === 0x89504E47 && buf.toString('latin1', 12, 16) === 'IHDR') {
    return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), format: 'png' };
  }
  if (buf.length >= 10 && /^GIF8[79]a$/.test(buf.toString('latin1', 0, 6))) {
    return { width: buf.readUInt16LE(6), height: buf.readUInt16LE(8), format: 'gif' };
  }
  if (buf.length >= 4 && buf[0] === 0xFF && buf[1] === 0xD8) {
    for (let i = 2; i + 9 < buf.length;) {
      if (buf[i] !== 0xFF) return null;
      const marker = buf[i + 1];
      const len = buf.readUInt16BE(i + 2);
      if (marker >= 0xC0 && marker <= 0xCF && ![0xC4, 0xC8, 0xCC].includes(marker)) {
        return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7), format: 'jpg' };
      }
      i += 2 + len;
    }
  }
  return null;
}

/* The variables OSS knows for upload u ({key, etag, size, contentType, fields}) [CB]. */
function variables(emu, ctx, u, bytes) {
  const etag = u.etag.replace(/^"|"$/g, '');
  const img = imageInfo(bytes);
  const sys = {
    bucket: emu.bucket,
    object: u.key,
    etag,
    size: u.size,
    mimeType: u.contentType,
    'imageInfo.height': img ? img.height : '',
    'imageInfo.width': img ? img.width : '',
    'imageInfo.format': img ? img.format : '',
    crc64: crc64(bytes),
    contentMd5: Buffer.from(etag, 'hex').toString('base64'),
    vpcId: '',
    clientIp: (ctx.req.socket.remoteAddress || '').replace(/^::ffff:/, ''),
    reqId: ctx.rid,
    operation: u.operation || 'PostObject',
  };
  return (name) => {
    if (SYSTEM.has(name)) return sys[name];
    if (name.startsWith('x:') && u.fields.has(name)) return u.fields.get(name);
    return undefined;
  };
}

/* ------------------------------------------------------------------ signing and sending */

/* The string OSS signs for url (its raw text) and body [SIG]. */
function signedString(rawUrl, url, body) {
  const q = rawUrl.indexOf('?');
  const query = q < 0 ? '' : rawUrl.slice(q + 1).replace(/#.*$/, '');
  return `${decodeURIComponent(url.pathname)}${query !== '' ? `?${query}` : ''}\n${body}`;
}

function signCallback(privateKey, rawUrl, url, body) {
  return crypto.sign('md5', Buffer.from(signedString(rawUrl, url, body), 'utf8'), privateKey).toString('base64');
}

/*
 * POST one callback; resolves {ok, status, body, reason}: ok when OSS would take the answer [CB]:
 * 200, a valid Content-Length, at most ANSWER_MAX bytes of JSON, within the time limit.
 */
function postOne(o, target, cfg, body) {
  const { raw, url } = target;
  return new Promise((resolve) => {
    const mod = url.protocol === 'https:' ? https : http;
    const headers = {
      Host: cfg.host || url.host,
      'Content-Type': cfg.type,
      'Content-Length': Buffer.byteLength(body),
      Authorization: signCallback(o.privateKey, raw, url, body),
      'x-oss-pub-key-url': Buffer.from(o.keyUrl, 'utf8').toString('base64'),
      Date: new Date().toUTCString(),
      'User-Agent': 'aliyun-oss-callback',
    };
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = mod.request({
      method: 'POST', host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || undefined,
      path: `${url.pathname}${url.search}`, headers,
      ...(url.protocol === 'https:' ? { ca: o.ca || undefined, servername: cfg.sni && cfg.host ? cfg.host.replace(/:\d+$/, '') : url.hostname } : {}),
    }, (res) => {
      const chunks = [];
      let n = 0;
      res.on('data', (c) => {
        n += c.length;
        if (n > LIMITS.ANSWER_MAX) {
          req.destroy();
          finish({ ok: false, status: res.statusCode, reason: 'Response body is too large.' });
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const cl = res.headers['content-length'];
        if (res.statusCode !== 200) return finish({ ok: false, status: res.statusCode, reason: `Error status : ${res.statusCode}.` });
        if (cl === undefined || !/^\d+$/.test(cl) || Number(cl) !== buf.length) {
          return finish({ ok: false, status: 200, reason: 'Response has no valid Content-Length.' });
        }
        try {
          JSON.parse(buf.toString('utf8'));
        } catch (e) {
          return finish({ ok: false, status: 200, reason: 'Response body is not valid json format.' });
        }
        return finish({ ok: true, status: 200, body: buf, contentType: res.headers['content-type'] });
      });
      res.on('error', () => finish({ ok: false, status: res.statusCode, reason: 'Response was cut.' }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ ok: false, status: 0, reason: 'Callback timed out.' });
    }, o.timeoutMs);
    req.on('error', (e) => finish({ ok: false, status: 0, reason: `Connect to callback server failed (${e.code || 'error'}).` }));
    req.end(body);
  });
}

/* ------------------------------------------------------------------ the signed HEAD (XXX wave 2) */

/* HEAD /<key> with a V4 Authorization header, verified with ali-oss [V4 in tests/emu/oss.js]. */
function signedHead(emu, ctx, r) {
  const auth = ctx.req.headers.authorization || '';
  if (!auth.startsWith('OSS4-HMAC-SHA256 ')) return emu.getObject(ctx, r.key);
  ctx.req.resume();
  const m = /^OSS4-HMAC-SHA256 Credential=([^/,]+)\/(\d{8})\/([^/,]+)\/oss\/aliyun_v4_request,(?:AdditionalHeaders=([^,]*),)?Signature=[0-9a-f]{64}$/.exec(auth);
  if (!m) throw new OssError(400, 'InvalidArgument', 'Authorization header is malformed.', '0002-00000710');
  const [, akid, day, region, addl] = m;
  if (region !== emu.region) throw new OssError(400, 'InvalidArgument', 'The signing region in credential is invalid.', '0002-00000715');
  const xdate = ctx.req.headers['x-oss-date'] || '';
  const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(xdate);
  const ms = dm ? Date.parse(`${dm[1]}-${dm[2]}-${dm[3]}T${dm[4]}:${dm[5]}:${dm[6]}Z`) : NaN;
  if (!Number.isFinite(ms) || xdate.slice(0, 8) !== day) throw new OssError(400, 'InvalidArgument', 'x-oss-date is invalid.', '0002-00000712');
  if (Math.abs(ctx.now - ms) > LIMITS.SKEW_MS) throw new OssError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', '0002-00000504');
  const now = new Date(ctx.now);
  const token = ctx.req.headers['x-oss-security-token'];
  const key = emu.ledger.lookupAccessKey(emu.stateDir, akid, now);
  if (!key || key.disabled === true) throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', '0002-00000902');
  if (token !== undefined && emu.ledger.checkToken(emu.stateDir, akid, token, now) !== 'ok') {
    throw new OssError(403, 'InvalidSecurityToken', 'The security token you provided is invalid.', '0002-00000006');
  }
  if (key.token && token === undefined) throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', '0002-00000902');
  const headers = { ...ctx.req.headers };
  delete headers.authorization;
  const queries = {};
  for (const [k, v] of r.query) queries[k] = v === '' ? null : v;
  const want = signUtils.authorizationV4(akid, key.secret, region, 'HEAD', { headers, queries }, emu.bucket, r.key,
    addl ? addl.split(';') : []);
  const a = Buffer.from(want);
  const b = Buffer.from(auth);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
    throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', '0002-00000705');
  }
  const found = emu.readMeta(r.key);
  if (!found) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.', '0026-00000001');
  return emu.sendObject(ctx, r.key, found);
}

/* ------------------------------------------------------------------ the hook */

/*
 * opts: privateKey (PEM or KeyObject, the test key), keyUrl (what x-oss-pub-key-url names;
 * default OSS's own), timeoutMs (per URL, default 5000 [CB]), ca (PEM for https callback URLs).
 */
function makeCallbackHook(opts) {
  const o = {
    privateKey: typeof opts.privateKey === 'string' ? crypto.createPrivateKey(opts.privateKey) : opts.privateKey,
    keyUrl: opts.keyUrl || OSS_KEY_URL,
    timeoutMs: opts.timeoutMs || LIMITS.TIMEOUT_MS,
    ca: opts.ca || null,
  };
  let emu = null;
  const calls = [];
  const hook = {
    calls,
    attach(e) {
      emu = e;
    },
    check(ctx, f) {
      if (!f.has('callback')) return;
      ctx.callbackConfig = parseCallbackField(f.get('callback'));
    },
    async after(ctx, upload) {
      const cfg = ctx.callbackConfig;
      if (!cfg) return false;
      const { data } = emu.paths(upload.key);
      const bytes = fs.readFileSync(data);
      const body = fillBody(cfg.body, cfg.type, variables(emu, ctx, upload, bytes));
      let res = null;
      for (const target of cfg.urls) {
        res = await postOne(o, target, cfg, body);
        calls.push({ url: target.raw, status: res.status, ok: res.ok, reason: res.reason || null });
        if (res.ok) break;
      }
      const h = emu.baseHeaders(ctx);
      h.ETag = upload.etag;
      if (res && res.ok) {
        h['Content-Type'] = 'application/json';
        h['Content-Length'] = String(res.body.length);
        ctx.sent = true;
        ctx.res.writeHead(200, h);
        ctx.res.end(res.body);
        emu.log(ctx, 200);
        return true;
      }
      // [203]: stored, but the callback failed.
      const msg = res ? res.reason : 'No callback URL.';
      const xml = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n' +
        '  <Code>CallbackFailed</Code>\n' +
        `  <Message>${msg.replace(/[<>&]/g, '')}</Message>\n` +
        `  <RequestId>${ctx.rid}</RequestId>\n` +
        `  <HostId>${emu.hostId}</HostId>\n` +
        '  <EC>0007-00000203</EC>\n</Error>\n', 'utf8');
      h['Content-Type'] = 'application/xml';
      h['Content-Length'] = String(xml.length);
      h['x-oss-ec'] = '0007-00000203';
      ctx.sent = true;
      ctx.res.writeHead(203, h);
      ctx.res.end(xml);
      emu.log(ctx, 203, 'CallbackFailed', '0007-00000203');
      return true;
    },
    routes: [
      { method: 'GET', when: (r) => r.path === '/_emu/callbacks', run: (ctx) => emu.sendJson(ctx, calls) },
      { method: 'HEAD', when: (r) => r.key !== null, run: (ctx, r) => signedHead(emu, ctx, r) },
    ],
  };
  return hook;
}

/* The emulator's command line: --callback-key FILE [--callback-key-url URL] [--callback-ca FILE]. */
function hookFromArgs(a) {
  if (!a.callbackKey) return null;
  return makeCallbackHook({
    privateKey: fs.readFileSync(path.resolve(a.callbackKey), 'utf8'),
    keyUrl: a.callbackKeyUrl || OSS_KEY_URL,
    ca: a.callbackCa ? fs.readFileSync(path.resolve(a.callbackCa), 'utf8') : null,
  });
}

module.exports = {
  OSS_KEY_URL, LIMITS, parseCallbackField, fillBody, crc64, imageInfo, signedString, signCallback,
  makeCallbackHook, hookFromArgs,
};
