#!/usr/bin/env node
// tests/lib/jwt-mint.js DIR: mint JSON Web Tokens with the npm "jose"
// library (and node:crypto for the tampered ones jose will not make), write
// the public keys, an HS256 secret, JWKS documents and DIR/cases.json for
// tests/t_jwt to verify.  Every key is made afresh on each run; the clock is
// fixed (NOW) so the C side passes the same time.
//
// cases.json: {"now":N,
//   "keysets":{"NAME":[{"pem"|"hs256"|"jwks":"FILE","kid":"..."}...]},
//   "loads":[{"name","key":{...one keyset entry...},"expect":"ok"|"fail"}],
//   "cases":[{"name","keyset","token","expect":"ok"|jwt_err_name(),
//             "user","issuer","audience","user_claim","leeway","now"}]}
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const jose = require('jose');

const dir = process.argv[2];
if (!dir) {
	console.error('usage: jwt-mint.js DIR');
	process.exit(2);
}

const NOW = 1767225600;		// 2026-01-01T00:00:00Z
const ISS = 'https://idp.example.com';
const AUD = 'ossign';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const write = (name, data) => {
	fs.writeFileSync(path.join(dir, name), data, { mode: 0o600 });
	return name;
};

// A token jose would refuse to make: header and payload as given (objects
// or raw strings), signed with HS256 over exactly those bytes.
function rawHs(secret, header, payload) {
	const h = typeof header === 'string' ? header : JSON.stringify(header);
	const p = typeof payload === 'string' ? payload : JSON.stringify(payload);
	const input = b64u(h) + '.' + b64u(p);
	return input + '.' + b64u(crypto.createHmac('sha256', secret).update(input).digest());
}

async function sign(key, alg, claims, header = {}) {
	const t = new jose.SignJWT(claims).setProtectedHeader({ alg, ...header });
	return t.sign(key);
}

// The usual claims, then overrides (undefined drops one).
function claims(over = {}) {
	const c = { sub: 'alice', iat: NOW - 10, exp: NOW + 300, ...over };
	for (const k of Object.keys(c))
		if (c[k] === undefined)
			delete c[k];
	return c;
}

// Change one character of part i (0 header, 1 payload, 2 signature).
function flip(tok, i) {
	const parts = tok.split('.');
	const s = parts[i];
	const at = Math.floor(s.length / 2);
	parts[i] = s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
	return parts.join('.');
}

async function main() {
	fs.mkdirSync(dir, { recursive: true });
	const rsa = await jose.generateKeyPair('RS256', { modulusLength: 2048 });
	const ec = await jose.generateKeyPair('ES256');
	const ed = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519' });
	const k1 = await jose.generateKeyPair('ES256');
	const k2 = await jose.generateKeyPair('ES256');
	const rsa1024 = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
	const p384 = await jose.generateKeyPair('ES384');
	const x25519 = crypto.generateKeyPairSync('x25519');
	const hs = crypto.randomBytes(32);
	const hsOther = crypto.randomBytes(32);

	const rsaPem = await jose.exportSPKI(rsa.publicKey);
	write('rsa.pem', rsaPem);
	write('ec.pem', await jose.exportSPKI(ec.publicKey));
	write('ed.pem', await jose.exportSPKI(ed.publicKey));
	write('rsa1024.pem', rsa1024.publicKey.export({ type: 'spki', format: 'pem' }));
	write('p384.pem', await jose.exportSPKI(p384.publicKey));
	write('rsa-private.pem', await jose.exportPKCS8(rsa.privateKey));
	write('two.pem', rsaPem + await jose.exportSPKI(ec.publicKey));
	write('hs.key', hs);
	write('hs-short.key', hs.subarray(0, 16));
	write('hs.b64u', b64u(hs));	// for the secrets scan

	const jwk = async (k, extra) => ({ ...(await jose.exportJWK(k)), ...extra });
	write('jwks.json', JSON.stringify({ keys: [
		await jwk(rsa.publicKey, { kid: 'r1', use: 'sig', alg: 'RS256' }),
		await jwk(ec.publicKey, { kid: 'e1' }),
		await jwk(ed.publicKey, { kid: 'd1', alg: 'EdDSA' }),
		// Skipped: an encryption key, another curve, an ECDH key, an
		// RSA key for PS256, an unknown kty.
		await jwk(k1.publicKey, { kid: 'enc', use: 'enc' }),
		await jwk(p384.publicKey, { kid: 'p384' }),
		x25519.publicKey.export({ format: 'jwk' }),
		await jwk(rsa.publicKey, { kid: 'ps', alg: 'PS256' }),
		{ kty: 'XYZ', kid: 'odd' },
	] }));
	write('jwks-rot.json', JSON.stringify({ keys: [
		await jwk(k1.publicKey, { kid: 'k1' }),
		await jwk(k2.publicKey, { kid: 'k2' }),
	] }));
	write('jwks-oct.json', JSON.stringify({ keys: [
		{ kty: 'oct', kid: 'h', k: b64u(hs) },
	] }));
	write('jwks-private.json', JSON.stringify({ keys: [
		await jwk(ec.privateKey, { kid: 'p' }),
	] }));
	write('jwks-none.json', JSON.stringify({ keys: [
		await jwk(k1.publicKey, { kid: 'enc', use: 'enc' }),
	] }));
	write('jwks-dupkid.json', JSON.stringify({ keys: [
		await jwk(k1.publicKey, { kid: 'k' }),
		await jwk(k2.publicKey, { kid: 'k' }),
	] }));
	// x moved off the curve: y of another key.
	const bad = await jwk(k1.publicKey, { kid: 'off' });
	bad.y = (await jose.exportJWK(k2.publicKey)).y;
	write('jwks-offcurve.json', JSON.stringify({ keys: [bad] }));
	write('jwks-notjson.json', '{"keys":[{"kty":"EC",}]}');

	const keysets = {
		hs: [{ hs256: 'hs.key' }],
		'rsa-pem': [{ pem: 'rsa.pem' }],
		'ec-pem': [{ pem: 'ec.pem' }],
		'ed-pem': [{ pem: 'ed.pem' }],
		jwks: [{ jwks: 'jwks.json' }],
		rot: [{ jwks: 'jwks-rot.json' }],
		// Several key files at once, as several jwt_key lines give.
		several: [{ hs256: 'hs.key', kid: 'h1' }, { pem: 'rsa.pem', kid: 'r' },
		    { pem: 'ec.pem' }, { pem: 'ed.pem' }],
	};
	const loads = [
		{ name: 'RSA 2048 PEM', key: { pem: 'rsa.pem' }, expect: 'ok' },
		{ name: 'RSA 1024 PEM refused', key: { pem: 'rsa1024.pem' }, expect: 'fail' },
		{ name: 'P-384 PEM refused', key: { pem: 'p384.pem' }, expect: 'fail' },
		{ name: 'private key PEM refused', key: { pem: 'rsa-private.pem' }, expect: 'fail' },
		{ name: 'two PEM blocks refused', key: { pem: 'two.pem' }, expect: 'fail' },
		{ name: 'HS256 secret of 16 bytes refused', key: { hs256: 'hs-short.key' }, expect: 'fail' },
		{ name: 'JWKS: 3 usable keys, 5 skipped', key: { jwks: 'jwks.json' }, expect: 'ok', count: 3 },
		{ name: 'JWKS with kty oct refused', key: { jwks: 'jwks-oct.json' }, expect: 'fail' },
		{ name: 'JWKS with a private key refused', key: { jwks: 'jwks-private.json' }, expect: 'fail' },
		{ name: 'JWKS with no signing key refused', key: { jwks: 'jwks-none.json' }, expect: 'fail' },
		{ name: 'JWKS with a kid twice refused', key: { jwks: 'jwks-dupkid.json' }, expect: 'fail' },
		{ name: 'JWKS point off the curve refused', key: { jwks: 'jwks-offcurve.json' }, expect: 'fail' },
		{ name: 'JWKS that is not JSON refused', key: { jwks: 'jwks-notjson.json' }, expect: 'fail' },
	];

	const cases = [];
	const add = (name, keyset, token, expect, extra = {}) =>
		cases.push({ name, keyset, token, expect, ...extra });
	const std = claims();

	// Each algorithm and key form, accepted.
	add('HS256 accepted', 'hs', await sign(hs, 'HS256', std), 'ok', { user: 'alice' });
	add('RS256 (PEM) accepted', 'rsa-pem', await sign(rsa.privateKey, 'RS256', std), 'ok', { user: 'alice' });
	add('ES256 (PEM) accepted', 'ec-pem', await sign(ec.privateKey, 'ES256', std), 'ok', { user: 'alice' });
	add('EdDSA (PEM) accepted', 'ed-pem', await sign(ed.privateKey, 'EdDSA', std), 'ok', { user: 'alice' });
	add('RS256 (JWKS kid r1) accepted', 'jwks', await sign(rsa.privateKey, 'RS256', std, { kid: 'r1' }), 'ok', { user: 'alice' });
	add('ES256 (JWKS kid e1) accepted', 'jwks', await sign(ec.privateKey, 'ES256', std, { kid: 'e1' }), 'ok', { user: 'alice' });
	add('EdDSA (JWKS kid d1) accepted', 'jwks', await sign(ed.privateKey, 'EdDSA', std, { kid: 'd1' }), 'ok', { user: 'alice' });
	add('JWKS, no kid: every key of the alg tried', 'jwks', await sign(ec.privateKey, 'ES256', std), 'ok', { user: 'alice' });
	add('typ JWT accepted', 'hs', await sign(hs, 'HS256', std, { typ: 'JWT' }), 'ok', { user: 'alice' });
	add('typ at+jwt accepted', 'hs', await sign(hs, 'HS256', std, { typ: 'at+jwt' }), 'ok', { user: 'alice' });
	add('several key files: HS256 by kid', 'several', await sign(hs, 'HS256', std, { kid: 'h1' }), 'ok', { user: 'alice' });
	add('several key files: RS256 without kid', 'several', await sign(rsa.privateKey, 'RS256', std), 'ok', { user: 'alice' });
	add('several key files: ES256', 'several', await sign(ec.privateKey, 'ES256', std), 'ok', { user: 'alice' });
	add('several key files: EdDSA', 'several', await sign(ed.privateKey, 'EdDSA', std), 'ok', { user: 'alice' });

	// Rotation by kid.
	add('rotation: kid k2 accepted', 'rot', await sign(k2.privateKey, 'ES256', std, { kid: 'k2' }), 'ok', { user: 'alice' });
	add('rotation: kid k1 accepted', 'rot', await sign(k1.privateKey, 'ES256', std, { kid: 'k1' }), 'ok', { user: 'alice' });
	add('rotation: unknown kid k3', 'rot', await sign(k2.privateKey, 'ES256', std, { kid: 'k3' }), 'no_key');
	add('rotation: kid k1 signed by k2', 'rot', await sign(k2.privateKey, 'ES256', std, { kid: 'k1' }), 'signature');

	// alg none and algorithm confusion.
	add('alg none refused', 'hs', new jose.UnsecuredJWT(std).encode(), 'alg_none');
	add('alg None (mixed case) refused', 'hs', b64u('{"alg":"None"}') + '.' + b64u(JSON.stringify(std)) + '.' + b64u('x'), 'alg_none');
	add('alg none with a signature refused', 'hs', rawHs(hs, { alg: 'none' }, std), 'alg_none');
	add('RS256 public key used as an HS256 secret refused', 'rsa-pem',
	    await sign(new TextEncoder().encode(rsaPem), 'HS256', std), 'key_alg');
	add('HS256 token naming the JWKS RSA key refused', 'jwks',
	    await sign(new TextEncoder().encode(rsaPem), 'HS256', std, { kid: 'r1' }), 'key_alg');
	add('ES256 token for an RSA key refused', 'rsa-pem', await sign(ec.privateKey, 'ES256', std), 'key_alg');
	add('RS384 refused', 'rsa-pem', await sign(rsa.privateKey, 'RS384', std), 'alg_unsupported');
	add('PS256 refused', 'rsa-pem', await sign(rsa.privateKey, 'PS256', std), 'alg_unsupported');
	add('HS512 refused', 'hs', await sign(hs, 'HS512', std), 'alg_unsupported');

	// Signatures.
	add('tampered signature refused', 'hs', flip(await sign(hs, 'HS256', std), 2), 'signature');
	{
		const [h, , sg] = (await sign(rsa.privateKey, 'RS256', std)).split('.');
		const p = b64u(JSON.stringify(claims({ sub: 'mallory' })));
		add('tampered payload refused', 'rsa-pem', h + '.' + p + '.' + sg, 'signature');
	}
	add('HS256 under another secret refused', 'hs', await sign(hsOther, 'HS256', std), 'signature');
	add('EdDSA tampered signature refused', 'ed-pem', flip(await sign(ed.privateKey, 'EdDSA', std), 2), 'signature');
	{
		const input = b64u(JSON.stringify({ alg: 'ES256' })) + '.' + b64u(JSON.stringify(std));
		const der = crypto.sign('sha256', Buffer.from(input), { key: await jose.exportPKCS8(ec.privateKey), dsaEncoding: 'der' });
		add('ES256 DER signature refused', 'ec-pem', input + '.' + b64u(der), 'signature');
		const p1363 = crypto.sign('sha256', Buffer.from(input), { key: await jose.exportPKCS8(ec.privateKey), dsaEncoding: 'ieee-p1363' });
		add('ES256 r||s from node:crypto accepted', 'ec-pem', input + '.' + b64u(p1363), 'ok', { user: 'alice' });
	}
	{
		const [h, p, s] = (await sign(rsa.privateKey, 'RS256', std)).split('.');
		const cut = b64u(Buffer.from(s, 'base64url').subarray(0, 255));
		add('RS256 signature one byte short refused', 'rsa-pem', h + '.' + p + '.' + cut, 'signature');
	}

	// Times: exp, nbf, iat against now and the leeway (60 s unless said).
	add('exp missing refused', 'hs', await sign(hs, 'HS256', claims({ exp: undefined })), 'exp_missing');
	add('exp past the leeway refused', 'hs', await sign(hs, 'HS256', claims({ exp: NOW - 61 })), 'expired');
	add('exp exactly now minus leeway refused', 'hs', await sign(hs, 'HS256', claims({ exp: NOW - 60 })), 'expired');
	add('exp inside the leeway accepted', 'hs', await sign(hs, 'HS256', claims({ exp: NOW - 59 })), 'ok', { user: 'alice' });
	add('exp now, leeway 0 refused', 'hs', await sign(hs, 'HS256', claims({ exp: NOW })), 'expired', { leeway: 0 });
	add('exp now+1, leeway 0 accepted', 'hs', await sign(hs, 'HS256', claims({ exp: NOW + 1 })), 'ok', { leeway: 0, user: 'alice' });
	add('exp as a string refused', 'hs', rawHs(hs, { alg: 'HS256' }, claims({ exp: String(NOW + 300) })), 'claim');
	add('exp beyond year 9999 refused', 'hs', rawHs(hs, { alg: 'HS256' }, claims({ exp: 1e20 })), 'claim');
	add('exp negative refused', 'hs', rawHs(hs, { alg: 'HS256' }, claims({ exp: -5 })), 'claim');
	add('exp with a fraction accepted', 'hs', rawHs(hs, { alg: 'HS256' }, claims({ exp: NOW + 1.5 })), 'ok', { leeway: 0, user: 'alice' });
	add('exp with a fraction is cut', 'hs', rawHs(hs, { alg: 'HS256' }, claims({ exp: NOW + 0.5 })), 'expired', { leeway: 0 });
	add('nbf in the future refused', 'hs', await sign(hs, 'HS256', claims({ nbf: NOW + 61 })), 'not_yet_valid');
	add('nbf at now plus leeway accepted', 'hs', await sign(hs, 'HS256', claims({ nbf: NOW + 60 })), 'ok', { user: 'alice' });
	add('iat in the future refused', 'hs', await sign(hs, 'HS256', claims({ iat: NOW + 61 })), 'iat_future');
	add('iat at now plus leeway accepted', 'hs', await sign(hs, 'HS256', claims({ iat: NOW + 60 })), 'ok', { user: 'alice' });
	add('a token valid now is expired an hour later', 'hs', await sign(hs, 'HS256', std), 'expired', { now: NOW + 3600 });

	// Issuer and audience.
	add('iss matches', 'hs', await sign(hs, 'HS256', claims({ iss: ISS })), 'ok', { issuer: ISS, user: 'alice' });
	add('iss differs refused', 'hs', await sign(hs, 'HS256', claims({ iss: ISS + '.evil' })), 'issuer', { issuer: ISS });
	add('iss missing refused', 'hs', await sign(hs, 'HS256', std), 'issuer', { issuer: ISS });
	add('iss not a string refused', 'hs', rawHs(hs, { alg: 'HS256' }, claims({ iss: 7 })), 'claim', { issuer: ISS });
	add('aud string matches', 'hs', await sign(hs, 'HS256', claims({ aud: AUD })), 'ok', { audience: AUD, user: 'alice' });
	add('aud array holds it', 'hs', await sign(hs, 'HS256', claims({ aud: ['other', AUD] })), 'ok', { audience: AUD, user: 'alice' });
	add('aud array without it refused', 'hs', await sign(hs, 'HS256', claims({ aud: ['other', 'third'] })), 'audience', { audience: AUD });
	add('aud string differs refused', 'hs', await sign(hs, 'HS256', claims({ aud: 'ossign2' })), 'audience', { audience: AUD });
	add('aud missing refused', 'hs', await sign(hs, 'HS256', std), 'audience', { audience: AUD });
	add('aud present, none configured refused', 'hs', await sign(hs, 'HS256', claims({ aud: AUD })), 'audience');
	add('aud empty array refused', 'hs', rawHs(hs, { alg: 'HS256' }, claims({ aud: [] })), 'claim', { audience: AUD });
	add('aud array of numbers refused', 'hs', rawHs(hs, { alg: 'HS256' }, claims({ aud: [AUD, 1] })), 'claim', { audience: AUD });

	// The user claim and the ${user} rules.
	add('sub with a slash refused', 'hs', await sign(hs, 'HS256', claims({ sub: 'bob/../alice' })), 'user');
	add('sub of 65 bytes refused', 'hs', await sign(hs, 'HS256', claims({ sub: 'a'.repeat(65) })), 'user');
	add('sub of 64 bytes accepted', 'hs', await sign(hs, 'HS256', claims({ sub: 'a'.repeat(64) })), 'ok', { user: 'a'.repeat(64) });
	add('sub ".." refused', 'hs', await sign(hs, 'HS256', claims({ sub: '..' })), 'user');
	add('sub with a space refused', 'hs', await sign(hs, 'HS256', claims({ sub: 'alice smith' })), 'user');
	add('sub non-ASCII refused', 'hs', await sign(hs, 'HS256', claims({ sub: 'al\u00efce' })), 'user');
	add('sub missing refused', 'hs', await sign(hs, 'HS256', claims({ sub: undefined })), 'user');
	add('sub a number refused', 'hs', rawHs(hs, { alg: 'HS256' }, claims({ sub: 42 })), 'user');
	add('user_claim email accepted', 'hs', await sign(hs, 'HS256', claims({ email: 'alice@example.com' })), 'ok',
	    { user_claim: 'email', user: 'alice@example.com' });
	add('user_claim email missing refused', 'hs', await sign(hs, 'HS256', std), 'user', { user_claim: 'email' });

	// Size, base64url, JSON, the header.
	add('token over 8 KiB refused', 'hs', await sign(hs, 'HS256', claims({ pad: 'x'.repeat(6200) })), 'too_long');
	add('token just under 8 KiB accepted', 'hs', await sign(hs, 'HS256', claims({ pad: 'x'.repeat(5900) })), 'ok', { user: 'alice' });
	{
		const t = await sign(hs, 'HS256', std);
		const [h, p, s] = t.split('.');
		add('padding on the signature refused', 'hs', t + '=', 'base64');
		add('padding on the header refused', 'hs', h + '==.' + p + '.' + s, 'base64');
		add('"+" in the payload refused', 'hs', h + '.' + p.slice(0, 4) + '+' + p.slice(5) + '.' + s, 'base64');
		add('"/" in the signature refused', 'hs', h + '.' + p + '.' + s.slice(0, 4) + '/' + s.slice(5), 'base64');
		add('a space in the header refused', 'hs', h.slice(0, 3) + ' ' + h.slice(3) + '.' + p + '.' + s, 'base64');
		add('a non-canonical last character refused', 'hs', h + '.' + p + '.' + s.slice(0, -1) +
		    String.fromCharCode(s.charCodeAt(s.length - 1) + 1), 'base64');
		add('two parts refused', 'hs', h + '.' + p, 'format');
		add('four parts refused', 'hs', t + '.' + s, 'format');
		add('empty signature refused', 'hs', h + '.' + p + '.', 'signature');
		add('empty payload refused', 'hs', h + '..' + s, 'format');
		add('five parts (JWE) refused', 'hs', [h, p, s, s, s].join('.'), 'format');
	}
	add('header not JSON refused', 'hs', rawHs(hs, '{alg:"HS256"}', std), 'json');
	add('header single-quoted refused', 'hs', rawHs(hs, "{'alg':'HS256'}", std), 'json');
	add('header an array refused', 'hs', rawHs(hs, '["HS256"]', std), 'json');
	add('payload not JSON (signed) refused', 'hs', rawHs(hs, { alg: 'HS256' }, '{"sub":"alice",'), 'json');
	add('payload with NaN refused', 'hs', rawHs(hs, { alg: 'HS256' }, '{"sub":"alice","exp":NaN}'), 'json');
	add('payload with \\u0000 refused', 'hs', rawHs(hs, { alg: 'HS256' }, `{"sub":"alice\\u0000x","exp":${NOW + 300}}`), 'json');
	add('payload invalid UTF-8 refused', 'hs', (() => {
		const p = Buffer.concat([Buffer.from(`{"sub":"alice","x":"`), Buffer.from([0xff]), Buffer.from(`","exp":${NOW + 300}}`)]);
		const input = b64u('{"alg":"HS256"}') + '.' + b64u(p);
		return input + '.' + b64u(crypto.createHmac('sha256', hs).update(input).digest());
	})(), 'json');
	add('header alg twice refused', 'hs', rawHs(hs, '{"alg":"HS256","alg":"HS256"}', std), 'json');
	add('header alg twice, escaped, refused', 'hs', rawHs(hs, '{"alg":"HS256","\\u0061lg":"none"}', std), 'json');
	add('claim sub twice refused', 'hs', rawHs(hs, { alg: 'HS256' }, `{"sub":"alice","sub":"root","exp":${NOW + 300}}`), 'json');
	add('header without alg refused', 'hs', rawHs(hs, { typ: 'JWT' }, std), 'header');
	add('header with jwk refused', 'hs', rawHs(hs, { alg: 'HS256', jwk: { kty: 'oct', k: b64u(hs) } }, std), 'header');
	add('header with jku refused', 'hs', rawHs(hs, { alg: 'HS256', jku: 'https://evil.example/jwks' }, std), 'header');
	add('header with x5u refused', 'hs', rawHs(hs, { alg: 'HS256', x5u: 'https://evil.example/c' }, std), 'header');
	add('header with crit refused', 'hs', rawHs(hs, { alg: 'HS256', crit: ['b64'], b64: false }, std), 'header');
	add('header with cty refused', 'hs', rawHs(hs, { alg: 'HS256', cty: 'JWT' }, std), 'header');
	add('header with enc refused', 'hs', rawHs(hs, { alg: 'HS256', enc: 'A128GCM' }, std), 'header');
	add('header typ dpop+jwt refused', 'hs', await sign(hs, 'HS256', std, { typ: 'dpop+jwt' }), 'header');
	add('header kid not a string refused', 'hs', rawHs(hs, { alg: 'HS256', kid: 3 }, std), 'header');
	add('header kid with a space refused', 'hs', rawHs(hs, { alg: 'HS256', kid: 'a b' }, std), 'header');
	add('header kid unknown refused', 'hs', await sign(hs, 'HS256', std, { kid: 'nope' }), 'no_key');

	fs.writeFileSync(path.join(dir, 'cases.json'),
	    JSON.stringify({ now: NOW, leeway: 60, keysets, loads, cases }, null, 1));
	console.log(`jwt-mint: ${loads.length} key loads, ${cases.length} tokens in ${dir}`);
}

main().catch((e) => {
	console.error('jwt-mint:', e);
	process.exit(1);
});
