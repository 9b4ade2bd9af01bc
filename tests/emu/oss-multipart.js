'use strict';
/*
 * tests/emu/oss-multipart.js: OSS's multipart upload API for the OSS emulator (tests/emu/oss.js),
 * plugged into its route table:
 *
 *   const { Multipart } = require('./oss-multipart.js');
 *   const mp = new Multipart();
 *   const emu = new Emulator({ ..., routes: mp.routes });
 *   mp.attach(emu);
 *
 * Where each rule comes from
 *   [IMU]  InitiateMultipartUpload, https://www.alibabacloud.com/help/en/oss/developer-reference/initiatemultipartupload
 *          (POST /key?uploads; headers Cache-Control, Content-Disposition, Content-Encoding,
 *          Content-Type, Expires, x-oss-meta-*, x-oss-forbid-overwrite, x-oss-storage-class,
 *          x-oss-tagging, x-oss-server-side-encryption; no x-oss-object-acl; oss:PutObject)
 *   [UP]   UploadPart, https://www.alibabacloud.com/help/en/oss/developer-reference/uploadpart
 *          (PUT /key?partNumber=N&uploadId=ID; N 1..10000; a part 100 KB to 5 GB but the last; the
 *          same number again replaces the part; ETag header = the part's MD5; oss:PutObject)
 *   [LP]   ListParts, https://www.alibabacloud.com/help/en/oss/developer-reference/listparts
 *          (GET /key?uploadId=ID[&max-parts=M][&part-number-marker=P]; max-parts 1..1000, default
 *          1000; ListPartsResult with IsTruncated and NextPartNumberMarker; oss:ListParts)
 *   [CMU]  CompleteMultipartUpload, https://www.alibabacloud.com/help/en/oss/developer-reference/completemultipartupload
 *          (POST /key?uploadId=ID with <CompleteMultipartUpload><Part><PartNumber/><ETag/></Part>;
 *          parts ascending (InvalidPartOrder), each uploaded with that ETag (InvalidPart), each but
 *          the last at least 100 KB (EntityTooSmall); parts not named are deleted;
 *          x-oss-forbid-overwrite: true answers 409 FileAlreadyExists; x-oss-callback and
 *          x-oss-callback-var carry an upload callback; oss:PutObject)
 *   [AMU]  AbortMultipartUpload, https://www.alibabacloud.com/help/en/oss/developer-reference/abortmultipartupload
 *          (DELETE /key?uploadId=ID, 204; oss:AbortMultipartUpload)
 *   [V4H]  V4 header signature, https://www.alibabacloud.com/help/en/oss/developer-reference/recommend-to-use-signature-version-4
 *          (Authorization: OSS4-HMAC-SHA256 Credential=..., x-oss-date, x-oss-content-sha256, whose
 *          one value OSS takes is UNSIGNED-PAYLOAD: https://www.alibabacloud.com/help/en/oss/support/0002-00000214)
 *   [V4Q]  V4 presigned URL, https://www.alibabacloud.com/help/en/oss/developer-reference/add-signatures-to-urls
 *          (x-oss-signature-version, x-oss-credential, x-oss-date, x-oss-expires 1..604800,
 *          x-oss-security-token, x-oss-signature; a request after date + expires is refused)
 *   [ETAG] a multipart object's ETag is not the MD5 of its bytes: here, like S3 and OSS, the MD5 of
 *          the parts' MD5s and "-N" (emulator choice: OSS documents only that it differs)
 *   [CORS] the bucket's CORS rule must expose ETag, or a browser cannot read a part's ETag
 *          (tests/emu/oss.js exposes ETag and x-oss-request-id, and allows PUT)
 * Signatures are checked with ali-oss's own code (lib/common/signUtils.js: authorizationV4,
 * getCanonicalRequest, getStringToSign, getSignatureV4), as tests/lib/oss-v4-alioss.js does, with
 * the credentials of the emulator's ledger (a security token must be the one issued and not
 * expired) and the STS session policy evaluated for the action each call needs.
 *
 * Errors, as OSS's XML (tests/emu/oss.js sendError); EC "guess" unless a page names it:
 *   400 InvalidArgument          part number not 1..10000, max-parts not 1..1000, marker bad 0042-00000301 guess
 *   400 InvalidArgument          a query signature parameter malformed (x-oss-expires, date)  0002-00000720 guess
 *   400 InvalidArgument          x-oss-content-sha256 not UNSIGNED-PAYLOAD           0002-00000214 doc
 *   400 MalformedXML             Complete body not the XML above                     0042-00000302 guess
 *   400 InvalidPart              a named part missing or with another ETag           0042-00000303 guess
 *   400 InvalidPartOrder         part numbers not ascending                          0042-00000304 guess
 *   400 EntityTooSmall           a part but the last under 100 KB                    0042-00000305 guess
 *   400 EntityTooLarge           a part over 5 GB                                    0042-00000306 guess
 *   403 AccessDenied             unsigned request                                    0003-00000001 guess
 *   403 AccessDenied             presigned URL expired ("Request has expired")       0002-00000069 near
 *   403 SignatureDoesNotMatch    header or query signature differs                   0002-00000705 doc
 *   403 (the form's codes)       credential scope, skew, AKID, token: as PostObject (oss.js)
 *   403 AccessDenied             session policy lacks the action                     0003-00000301 doc
 *   404 NoSuchUpload             unknown, completed or aborted upload id, or another key 0042-00000002 guess
 *   409 FileAlreadyExists        x-oss-forbid-overwrite and the key exists           0026-00000002 near
 * Admin: GET /_emu/uploads -> {"uploads":[{uploadId,key,parts:[{number,size,etag}]}]}.
 * Not emulated: EncodingType=url, UploadPartCopy, ListMultipartUploads, x-oss-tagging and SSE on
 * Initiate (refused: InvalidArgument), CRC64.
 */

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const signUtils = require('ali-oss/lib/common/signUtils.js');
const oss = require('./oss.js');

const { OssError, err, xmlEscape } = oss;

const PART_MIN = 100 * 1024;                 // [CMU] every part but the last
const PART_MAX = 5 * 1024 * 1024 * 1024;     // [UP]
const PART_NUMBER_MAX = 10000;
const LIST_PAGE_MAX = 1000;
const PRESIGN_MAX = 604800;
const SKEW_MS = 15 * 60 * 1000;
const BODY_MAX = 2 * 1024 * 1024;            // a Complete body of 10,000 parts fits
// Headers Initiate stores with the object [IMU].
const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'expires'];

const mperr = {
  badArgument: (why) => new OssError(400, 'InvalidArgument', why, '0042-00000301'),
  badPayloadHash: () => new OssError(400, 'InvalidArgument',
    'The value of the x-oss-content-sha256 header is invalid: it must be UNSIGNED-PAYLOAD.', '0002-00000214'),
  badQuerySig: (why) => new OssError(400, 'InvalidArgument', why, '0002-00000720'),
  malformedXml: () => new OssError(400, 'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.', '0042-00000302'),
  invalidPart: () => new OssError(400, 'InvalidPart',
    'One or more of the specified parts could not be found or the specified entity tag might not have matched the part\'s entity tag.',
    '0042-00000303'),
  partOrder: () => new OssError(400, 'InvalidPartOrder',
    'The list of parts was not in ascending order. Parts list must be specified in order by part number.', '0042-00000304'),
  tooSmall: () => new OssError(400, 'EntityTooSmall',
    'Your proposed upload is smaller than the minimum allowed size.', '0042-00000305'),
  tooLarge: () => new OssError(400, 'EntityTooLarge',
    'Your proposed upload exceeds the maximum allowed size.', '0042-00000306'),
  expired: () => new OssError(403, 'AccessDenied', 'Request has expired.', '0002-00000069'),
  noSuchUpload: () => new OssError(404, 'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    '0042-00000002'),
  notImplemented: (what) => new OssError(501, 'NotImplemented', `${what} is not implemented by this emulator.`,
    '0000-00000000'),
};

// "k=v&bare" -> {k: v, bare: null}, names and values percent-decoded (a server's view).
function parseQuery(raw) {
  const q = {};
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let k;
    let v;
    try {
      k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      v = eq < 0 ? null : decodeURIComponent(part.slice(eq + 1));
    } catch (e) {
      throw mperr.badArgument('The query string is not URL-encoded.');
    }
    if (Object.prototype.hasOwnProperty.call(q, k)) throw mperr.badArgument(`The parameter ${k} is repeated.`);
    q[k] = v;
  }
  return q;
}

function rawQueryOf(req) {
  const u = req.url || '/';
  const i = u.indexOf('?');
  return i < 0 ? '' : u.slice(i + 1);
}

// "20231216T162057Z" -> ms, or NaN.
function amzDateMs(s) {
  const m = typeof s === 'string' && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? oss.parseIso(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : NaN;
}

function partNumberOf(v) {
  if (typeof v !== 'string' || !/^[1-9][0-9]{0,4}$/.test(v) || Number(v) > PART_NUMBER_MAX) {
    throw mperr.badArgument('Part number must be an integer between 1 and 10000, inclusive.');
  }
  return Number(v);
}

// The <Part> list of a CompleteMultipartUpload body, as OSS's schema has it.
function parseCompleteBody(text) {
  const body = text.replace(/^\s*<\?xml[^?]*\?>\s*/, '').trim();
  const m = /^<CompleteMultipartUpload>([\s\S]*)<\/CompleteMultipartUpload>$/.exec(body);
  if (!m) throw mperr.malformedXml();
  const parts = [];
  const re = /\s*<Part>\s*<PartNumber>([0-9]+)<\/PartNumber>\s*<ETag>([^<]*)<\/ETag>\s*<\/Part>\s*/y;
  let rest = m[1];
  while (rest.trim() !== '') {
    re.lastIndex = 0;
    const p = re.exec(rest);
    if (!p) throw mperr.malformedXml();
    const etag = p[2].replace(/&#34;|&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>').replace(/&apos;|&#39;/g, "'");
    parts.push({ number: Number(p[1]), etag });
    rest = rest.slice(re.lastIndex);
  }
  if (parts.length === 0) throw mperr.malformedXml();
  return parts;
}

const sameEtag = (a, b) => a.replace(/^"+|"+$/g, '') === b.replace(/^"+|"+$/g, '');

class Multipart {
  constructor() {
    this.emu = null;
    // Every route takes an object key and a sub-resource [IMU, UP, LP, CMU, AMU].
    this.routes = [
      { method: 'GET', when: (r) => r.path === '/_emu/uploads', run: (ctx) => this.adminUploads(ctx) },
      { method: 'POST', when: (r) => r.key !== null && r.query.has('uploads'), run: (ctx, r) => this.initiate(ctx, r) },
      { method: 'PUT', when: (r) => r.key !== null && r.query.has('uploadId'), run: (ctx, r) => this.uploadPart(ctx, r) },
      { method: 'GET', when: (r) => r.key !== null && r.query.has('uploadId'), run: (ctx, r) => this.listParts(ctx, r) },
      { method: 'POST', when: (r) => r.key !== null && r.query.has('uploadId'), run: (ctx, r) => this.complete(ctx, r) },
      { method: 'DELETE', when: (r) => r.key !== null && r.query.has('uploadId'), run: (ctx, r) => this.abort(ctx, r) },
    ];
  }

  attach(emu) {
    this.emu = emu;
    this.root = path.join(emu.stateDir, 'multipart', emu.bucket);
    fs.mkdirSync(this.root, { recursive: true });
  }

  /* ----- storage: STATE/multipart/<bucket>/<uploadId>/{upload.json,part-N,part-N.json} */

  dirOf(id) {
    if (!/^[0-9A-F]{32}$/.test(id)) return null;
    return path.join(this.root, id);
  }

  // The upload id's record for key, or NoSuchUpload.
  upload(id, key) {
    const dir = typeof id === 'string' ? this.dirOf(id) : null;
    let u = null;
    try {
      u = dir && JSON.parse(fs.readFileSync(path.join(dir, 'upload.json'), 'utf8'));
    } catch (e) {
      u = null;
    }
    if (!u || u.key !== key) throw mperr.noSuchUpload();
    return { u, dir };
  }

  parts(dir) {
    const out = [];
    for (const name of fs.readdirSync(dir)) {
      const m = /^part-([0-9]+)\.json$/.exec(name);
      if (!m) continue;
      try {
        out.push(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
      } catch (e) { /* being replaced */ }
    }
    return out.sort((a, b) => a.number - b.number);
  }

  /* ----- authentication: V4 header [V4H] or presigned query [V4Q] */

  /*
   * Check the request's signature and return the signing key ({secret, policy, ...}); throws as
   * OSS does.  q is the parsed query; key the object key.
   */
  authenticate(ctx, q, key) {
    const { req } = ctx;
    const headers = { ...req.headers };
    const auth = headers.authorization;
    delete headers.authorization;
    const bucket = this.emu.bucket;
    const region = this.emu.region;
    let cred;
    let date;
    let token;
    let given;
    let expect;
    let secretKey;
    if (typeof auth === 'string') {
      const m = /^OSS4-HMAC-SHA256 Credential=([^,]+),(?:AdditionalHeaders=([^,]*),)?Signature=([0-9a-f]{64})$/.exec(auth);
      if (!m) throw err.badCredential('the Authorization header is not OSS4-HMAC-SHA256');
      cred = m[1];
      date = headers['x-oss-date'];
      token = headers['x-oss-security-token'];
      if (typeof headers['x-oss-content-sha256'] !== 'string') {
        throw mperr.badArgument('x-oss-content-sha256 is required with signature version 4.');
      }
      // OSS takes only an unsigned payload [V4H]: a hash here would go unchecked against the body.
      if (headers['x-oss-content-sha256'] !== 'UNSIGNED-PAYLOAD') throw mperr.badPayloadHash();
      const scope = this.scope(cred, date, ctx);
      secretKey = this.emu.accessKey(ctx, scope.akid, token);
      expect = signUtils.authorizationV4(scope.akid, secretKey.secret, region, req.method, { headers, queries: q },
        bucket, key, m[2] ? m[2].split(';') : []);
      given = auth;
    } else if (q['x-oss-signature'] !== undefined) {
      if (q['x-oss-signature-version'] !== oss.SIGNATURE_VERSION) throw err.badVersion();
      cred = q['x-oss-credential'];
      date = q['x-oss-date'];
      token = q['x-oss-security-token'] === null ? '' : q['x-oss-security-token'];
      const expires = q['x-oss-expires'];
      if (typeof expires !== 'string' || !/^[1-9][0-9]{0,5}$/.test(expires) || Number(expires) > PRESIGN_MAX) {
        throw mperr.badQuerySig('x-oss-expires must be 1 to 604800 seconds.');
      }
      const scope = this.scope(cred, date, ctx, true);
      if (ctx.now > scope.dateMs + Number(expires) * 1000) throw mperr.expired();
      secretKey = this.emu.accessKey(ctx, scope.akid, token);
      const queries = { ...q };
      delete queries['x-oss-signature'];
      const addl = queries['x-oss-additional-headers'];
      const cr = signUtils.getCanonicalRequest(req.method, { headers, queries }, bucket, key,
        addl ? addl.split(';') : []);
      expect = signUtils.getSignatureV4(secretKey.secret, date.slice(0, 8), region,
        signUtils.getStringToSign(region, date, cr));
      given = q['x-oss-signature'] || '';
    } else {
      throw err.anonymous();
    }
    const a = Buffer.from(String(given));
    const b = Buffer.from(String(expect));
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) throw err.signature();
    return secretKey;
  }

  // "AK/yyyymmdd/region/oss/aliyun_v4_request" and x-oss-date, as PostObject checks them.
  scope(cred, date, ctx, presigned) {
    if (typeof cred !== 'string') throw err.badCredential('missing');
    const parts = cred.split('/');
    if (parts.length !== 5) throw err.badCredential('expected AKID/yyyymmdd/region/oss/aliyun_v4_request');
    const [akid, day, region, product, terminator] = parts;
    if (terminator !== 'aliyun_v4_request') throw err.badCredential('it must end with aliyun_v4_request');
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(akid)) throw err.badAkid();
    if (!/^\d{8}$/.test(day)) throw err.badSignDate('not yyyymmdd');
    if (region !== this.emu.region) throw err.badRegion(cred);
    if (product !== 'oss') throw err.badCredential(`unknown product '${product}'`);
    const dateMs = amzDateMs(date);
    if (!Number.isFinite(dateMs)) throw err.badDate();
    if (date.slice(0, 8) !== day) throw err.badSignDate('it is not the day of x-oss-date');
    // A presigned URL lives until date + expires; neither form may come from the future.
    if (dateMs - ctx.now > SKEW_MS || (!presigned && Math.abs(ctx.now - dateMs) > SKEW_MS)) throw err.skewed();
    return { akid, dateMs };
  }

  // The STS session policy must allow action on the object [IMU, UP, LP, CMU, AMU].
  authorize(key, action, objectKey, acl) {
    if (typeof key.policy !== 'string' || key.policy === '') return;
    const resource = { product: 'oss', region: this.emu.region, target: `${this.emu.bucket}/${objectKey}` };
    if (!oss.sessionPolicyAllows(key.policy, action, resource, { 'oss:x-oss-object-acl': acl || 'default' })) {
      throw err.sessionPolicy();
    }
  }

  /* ----- responses */

  sendXml(ctx, status, xml, extra) {
    const buf = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}\n`, 'utf8');
    const h = this.emu.baseHeaders(ctx);
    h['Content-Type'] = 'application/xml';
    h['Content-Length'] = String(buf.length);
    Object.assign(h, extra || {});
    ctx.sent = true;
    ctx.res.writeHead(status, h);
    ctx.res.end(buf);
    this.emu.log(ctx, status);
  }

  sendEmpty(ctx, status, extra) {
    const h = this.emu.baseHeaders(ctx);
    Object.assign(h, extra || {});
    if (status !== 204) h['Content-Length'] = '0';
    ctx.sent = true;
    ctx.res.writeHead(status, h);
    ctx.res.end();
    this.emu.log(ctx, status);
  }

  readBody(req, max) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let n = 0;
      req.on('data', (c) => {
        n += c.length;
        if (n <= max) chunks.push(c);
      });
      req.on('end', () => (n > max ? reject(mperr.malformedXml()) : resolve(Buffer.concat(chunks))));
      req.on('error', reject);
    });
  }

  objectExists(key) {
    return this.emu.readMeta(key) !== null;
  }

  /* ----- the API */

  // POST /key?uploads [IMU]
  async initiate(ctx, r) {
    const { req } = ctx;
    req.resume();
    const q = parseQuery(rawQueryOf(req));
    const key = this.authenticate(ctx, q, r.key);
    this.authorize(key, 'oss:PutObject', r.key, req.headers['x-oss-object-acl']);
    if (req.headers['x-oss-tagging'] !== undefined || req.headers['x-oss-server-side-encryption'] !== undefined) {
      throw mperr.notImplemented('x-oss-tagging and x-oss-server-side-encryption on InitiateMultipartUpload');
    }
    const storageClass = req.headers['x-oss-storage-class'] || 'Standard';
    if (!oss.STORAGE_CLASSES.includes(storageClass)) throw err.badStorageClass();
    const forbid = String(req.headers['x-oss-forbid-overwrite'] || '').toLowerCase() === 'true';
    if (forbid && !this.emu.versioned && this.objectExists(r.key)) throw err.exists();
    const headers = {};
    const meta = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k.startsWith('x-oss-meta-')) meta[k] = Buffer.from(v, 'latin1').toString('utf8');
      else if (STORED_HEADERS.includes(k)) headers[k] = Buffer.from(v, 'latin1').toString('utf8');
      else continue;
      oss.checkHeaderField(k, v);
    }
    const id = crypto.randomBytes(16).toString('hex').toUpperCase();
    const dir = this.dirOf(id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'upload.json'), JSON.stringify({
      uploadId: id, key: r.key, contentType: req.headers['content-type'] || 'application/octet-stream',
      headers, meta, storageClass, initiated: new Date(ctx.now).toISOString(),
    }));
    this.sendXml(ctx, 200, '<InitiateMultipartUploadResult>\n' +
      `  <Bucket>${xmlEscape(this.emu.bucket)}</Bucket>\n  <Key>${xmlEscape(r.key)}</Key>\n` +
      `  <UploadId>${id}</UploadId>\n</InitiateMultipartUploadResult>`);
  }

  // PUT /key?partNumber=N&uploadId=ID [UP], streamed to disk.
  async uploadPart(ctx, r) {
    const { req } = ctx;
    let q;
    let found;
    let number;
    try {
      q = parseQuery(rawQueryOf(req));
      number = partNumberOf(q.partNumber);
      const key = this.authenticate(ctx, q, r.key);
      found = this.upload(q.uploadId, r.key);
      this.authorize(key, 'oss:PutObject', r.key, 'default');
    } catch (e) {
      req.resume();
      throw e;
    }
    const tmp = path.join(this.emu.tmpRoot, `part-${ctx.rid}`);
    this.emu.tmpFiles.add(tmp);
    const md5 = crypto.createHash('md5');
    let size = 0;
    let tooLarge = false;
    const ws = fs.createWriteStream(tmp, { flags: 'wx' });
    const done = new Promise((resolve, reject) => {
      ws.on('finish', resolve);
      ws.on('error', reject);
    });
    req.on('data', (c) => {
      size += c.length;
      if (size > PART_MAX) {
        tooLarge = true;
        return;
      }
      md5.update(c);
      if (!ws.write(c)) {
        req.pause();
        ws.once('drain', () => req.resume());
      }
    });
    await new Promise((resolve, reject) => {
      req.on('end', resolve);
      req.on('error', reject);
    }).finally(() => ws.end());
    await done;
    try {
      if (tooLarge) throw mperr.tooLarge();
      // The upload may have ended while the part came.
      this.upload(q.uploadId, r.key);
      const etag = `"${md5.digest('hex').toUpperCase()}"`;
      fs.renameSync(tmp, path.join(found.dir, `part-${number}`));
      fs.writeFileSync(path.join(found.dir, `part-${number}.json`),
        JSON.stringify({ number, size, etag, lastModified: new Date(ctx.now).toISOString() }));
      this.sendEmpty(ctx, 200, { ETag: etag });
    } finally {
      fs.rmSync(tmp, { force: true });
      this.emu.tmpFiles.delete(tmp);
    }
  }

  // GET /key?uploadId=ID[&max-parts=M][&part-number-marker=P] [LP]
  async listParts(ctx, r) {
    const { req } = ctx;
    req.resume();
    const q = parseQuery(rawQueryOf(req));
    const key = this.authenticate(ctx, q, r.key);
    const { u, dir } = this.upload(q.uploadId, r.key);
    this.authorize(key, 'oss:ListParts', r.key);
    const max = q['max-parts'] === undefined ? LIST_PAGE_MAX : Number(q['max-parts']);
    const marker = q['part-number-marker'] === undefined ? 0 : Number(q['part-number-marker']);
    if (!Number.isInteger(max) || max < 1 || max > LIST_PAGE_MAX) throw mperr.badArgument('max-parts must be 1 to 1000.');
    if (!Number.isInteger(marker) || marker < 0 || marker > PART_NUMBER_MAX) {
      throw mperr.badArgument('part-number-marker must be 0 to 10000.');
    }
    const after = this.parts(dir).filter((p) => p.number > marker);
    const page = after.slice(0, max);
    const truncated = after.length > max;
    const next = page.length > 0 ? page[page.length - 1].number : marker;
    let xml = '<ListPartsResult>\n' +
      `  <Bucket>${xmlEscape(this.emu.bucket)}</Bucket>\n  <Key>${xmlEscape(u.key)}</Key>\n` +
      `  <UploadId>${u.uploadId}</UploadId>\n  <StorageClass>${u.storageClass}</StorageClass>\n` +
      `  <PartNumberMarker>${marker}</PartNumberMarker>\n  <NextPartNumberMarker>${next}</NextPartNumberMarker>\n` +
      `  <MaxParts>${max}</MaxParts>\n  <IsTruncated>${truncated}</IsTruncated>\n`;
    for (const p of page) {
      xml += `  <Part>\n    <PartNumber>${p.number}</PartNumber>\n    <LastModified>${p.lastModified}</LastModified>\n` +
        `    <ETag>${xmlEscape(p.etag)}</ETag>\n    <Size>${p.size}</Size>\n  </Part>\n`;
    }
    this.sendXml(ctx, 200, `${xml}</ListPartsResult>`);
  }

  // POST /key?uploadId=ID [CMU]
  async complete(ctx, r) {
    const { req } = ctx;
    let q;
    let key;
    let found;
    try {
      q = parseQuery(rawQueryOf(req));
      key = this.authenticate(ctx, q, r.key);
      found = this.upload(q.uploadId, r.key);
      this.authorize(key, 'oss:PutObject', r.key, 'default');
    } catch (e) {
      req.resume();
      throw e;
    }
    const body = await this.readBody(req, BODY_MAX);
    const named = parseCompleteBody(body.toString('utf8'));
    const have = new Map(this.parts(found.dir).map((p) => [p.number, p]));
    for (let i = 1; i < named.length; i++) {
      if (named[i].number <= named[i - 1].number) throw mperr.partOrder();
    }
    const parts = named.map((n) => {
      const p = have.get(n.number);
      if (!p || !sameEtag(p.etag, n.etag)) throw mperr.invalidPart();
      return p;
    });
    for (let i = 0; i < parts.length - 1; i++) if (parts[i].size < PART_MIN) throw mperr.tooSmall();
    const forbid = String(req.headers['x-oss-forbid-overwrite'] || '').toLowerCase() === 'true';
    // An upload callback comes in two headers; the emulator's callback hook sees them as the
    // fields a form would have carried (CALLBACK_NONE refuses them with 501).
    const fields = new Map();
    if (typeof req.headers['x-oss-callback'] === 'string') fields.set('callback', req.headers['x-oss-callback']);
    if (typeof req.headers['x-oss-callback-var'] === 'string') {
      let vars;
      try {
        vars = JSON.parse(Buffer.from(req.headers['x-oss-callback-var'], 'base64').toString('utf8'));
      } catch (e) {
        throw mperr.badArgument('x-oss-callback-var is not base64 of a JSON object.');
      }
      for (const [k, v] of Object.entries(vars || {})) fields.set(k.toLowerCase(), String(v));
    }
    this.emu.callback.check(ctx, fields);

    const u = found.u;
    const { data, meta } = this.emu.paths(r.key);
    const tmp = path.join(this.emu.tmpRoot, `complete-${ctx.rid}`);
    this.emu.tmpFiles.add(tmp);
    const md5s = crypto.createHash('md5');
    let size = 0;
    try {
      const out = fs.openSync(tmp, 'wx');
      try {
        for (const p of parts) {
          fs.writeFileSync(out, fs.readFileSync(path.join(found.dir, `part-${p.number}`)));
          md5s.update(Buffer.from(p.etag.replace(/"/g, ''), 'hex'));
          size += p.size;
        }
      } finally {
        fs.closeSync(out);
      }
      fs.mkdirSync(path.dirname(data), { recursive: true });
      fs.mkdirSync(path.dirname(meta), { recursive: true });
      if (forbid && !this.emu.versioned) {
        try {
          fs.linkSync(tmp, data);
        } catch (e) {
          if (e.code === 'EEXIST') throw err.exists();
          throw e;
        }
      } else {
        fs.renameSync(tmp, data);
      }
    } catch (e) {
      if (e instanceof OssError) throw e;
      throw err.internal(`cannot store the object (${e.code || 'error'})`);
    } finally {
      fs.rmSync(tmp, { force: true });
      this.emu.tmpFiles.delete(tmp);
    }
    const etag = `"${md5s.digest('hex').toUpperCase()}-${parts.length}"`;
    const versionId = this.emu.versioned ? crypto.randomBytes(16).toString('hex') : null;
    this.emu.writeMeta(meta, {
      key: r.key, size, etag, contentType: u.contentType, acl: 'default', storageClass: u.storageClass,
      sse: null, sseKeyId: null, tagging: null, headers: u.headers, meta: u.meta,
      lastModified: new Date().toISOString(), versionId,
    });
    // Parts not named go with the upload [CMU].
    fs.rmSync(found.dir, { recursive: true, force: true });
    this.emu.stats.uploads_ok++;
    const upload = { key: r.key, etag, size, contentType: u.contentType, fields, operation: 'CompleteMultipartUpload' };
    if (await this.emu.callback.after(ctx, upload)) return;
    const location = `http://${req.headers.host || this.emu.hostId}/${oss.encodeKeyUrl(r.key)}`;
    this.sendXml(ctx, 200, '<CompleteMultipartUploadResult>\n' +
      `  <Location>${xmlEscape(location)}</Location>\n  <Bucket>${xmlEscape(this.emu.bucket)}</Bucket>\n` +
      `  <Key>${xmlEscape(r.key)}</Key>\n  <ETag>${xmlEscape(etag)}</ETag>\n</CompleteMultipartUploadResult>`,
    versionId ? { 'x-oss-version-id': versionId } : null);
  }

  // DELETE /key?uploadId=ID [AMU]
  async abort(ctx, r) {
    const { req } = ctx;
    req.resume();
    const q = parseQuery(rawQueryOf(req));
    const key = this.authenticate(ctx, q, r.key);
    const { dir } = this.upload(q.uploadId, r.key);
    this.authorize(key, 'oss:AbortMultipartUpload', r.key);
    fs.rmSync(dir, { recursive: true, force: true });
    this.sendEmpty(ctx, 204);
  }

  // GET /_emu/uploads: every upload in progress with its parts (never on real OSS).
  adminUploads(ctx) {
    ctx.req.resume();
    const uploads = [];
    for (const id of fs.readdirSync(this.root)) {
      try {
        const dir = path.join(this.root, id);
        const u = JSON.parse(fs.readFileSync(path.join(dir, 'upload.json'), 'utf8'));
        uploads.push({ uploadId: u.uploadId, key: u.key, content_type: u.contentType,
          headers: u.headers, meta: u.meta, storage_class: u.storageClass,
          parts: this.parts(dir).map((p) => ({ number: p.number, size: p.size, etag: p.etag })) });
      } catch (e) { /* being removed */ }
    }
    this.emu.sendJson(ctx, { uploads });
  }
}

module.exports = { Multipart, parseCompleteBody, parseQuery, PART_MIN };
