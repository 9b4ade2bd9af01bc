#!/usr/bin/env node
// tests/lib/jwt-requests.js DIR: the keys and tokens tests/auth-jwt.sh sends
// to the real program, minted with the npm "jose" library (node:crypto for
// the tampered ones jose will not make) against the clock of now.  Writes
// DIR/rsa.pem (RS256 public key), DIR/jwks.json (two ES256 keys k1 k2 and an
// Ed25519 key d1), DIR/hs.key (an HS256 secret as text and a newline, mode
// 0600), DIR/hs-wrong.pem (a JWKS with a private key: -t must refuse it) and
// DIR/cases.tsv, one request a line:
//	NAME <TAB> SECTION <TAB> HOW <TAB> VALUE <TAB> STATUS <TAB> USER|-
// HOW is "bearer" (Authorization: Bearer VALUE), "cookie" (Cookie:
// ossign_token=VALUE), "header" (Authorization: VALUE) or "none".
// DIR/secrets.txt: the HS256 secret and every token, one a line, for the
// secrets scan.  The sections are auth-jwt.sh's ossign.conf:
//	rsa: rsa.pem, jwt_issuer ISS, jwt_audience AUD, jwt_leeway 300
//	jwks: jwks.json, jwt_user_claim email, jwt_cookie ossign_token
//	hs: hs256:hs.key kid=h1, the default leeway (60)
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const jose = require('jose');

const dir = process.argv[2];
if (!dir) {
	console.error('usage: jwt-requests.js DIR');
	process.exit(2);
}
const NOW = Math.floor(Date.now() / 1000);
const ISS = 'https://idp.example.com';
const AUD = 'ossign';
const HS = 'ossign-test-hs256-' + crypto.randomBytes(24).toString('hex');

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const write = (name, data, mode = 0o644) => {
	fs.writeFileSync(path.join(dir, name), data, { mode });
	fs.chmodSync(path.join(dir, name), mode);
};

async function main() {
	fs.mkdirSync(dir, { recursive: true });
	const rsa = await jose.generateKeyPair('RS256', { modulusLength: 2048 });
	const k1 = await jose.generateKeyPair('ES256');
	const k2 = await jose.generateKeyPair('ES256');
	const k3 = await jose.generateKeyPair('ES256');
	const ed = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519' });
	const rsaPem = await jose.exportSPKI(rsa.publicKey);
	const hs = new TextEncoder().encode(HS);

	write('rsa.pem', rsaPem);
	const jwk = async (k, extra) => ({ ...(await jose.exportJWK(k)), ...extra });
	write('jwks.json', JSON.stringify({ keys: [
		await jwk(k1.publicKey, { kid: 'k1', use: 'sig', alg: 'ES256' }),
		await jwk(k2.publicKey, { kid: 'k2' }),
		await jwk(ed.publicKey, { kid: 'd1', alg: 'EdDSA' }),
	] }));
	write('hs.key', HS + '\n', 0o600);
	write('hs-wrong.pem', JSON.stringify({ keys: [await jwk(k1.privateKey, { kid: 'p' })] }));

	const rows = [];
	const secrets = [HS];
	const add = (name, section, how, value, status, user = '-') => {
		rows.push([name, section, how, value, status, user].join('\t'));
		if (how !== 'none' && value.length > 40)
			secrets.push(value);
	};
	const claims = (over = {}) => {
		const c = { sub: 'alice', iat: NOW - 10, exp: NOW + 600, ...over };
		for (const k of Object.keys(c))
			if (c[k] === undefined)
				delete c[k];
		return c;
	};
	const rsaClaims = (over = {}) => claims({ iss: ISS, aud: AUD, ...over });
	const sign = (key, alg, c, header = {}) =>
		new jose.SignJWT(c).setProtectedHeader({ alg, ...header }).sign(key);
	// Signed with HS256 over exactly these bytes (jose checks what it signs).
	const rawHs = (header, payload) => {
		const h = typeof header === 'string' ? header : JSON.stringify(header);
		const p = typeof payload === 'string' ? payload : JSON.stringify(payload);
		const input = b64u(h) + '.' + b64u(p);
		return input + '.' + b64u(crypto.createHmac('sha256', hs).update(input).digest());
	};

	// Tokens whose window depends on the clock go first (the program
	// may run slowly under valgrind): 100 s of slack each.
	add('exp 200 s ago, inside a leeway of 300', 'rsa', 'bearer',
	    await sign(rsa.privateKey, 'RS256', rsaClaims({ exp: NOW - 200 })), 200, 'alice');

	// Each key form and algorithm, accepted.
	add('RS256, PEM key', 'rsa', 'bearer', await sign(rsa.privateKey, 'RS256', rsaClaims()), 200, 'alice');
	add('RS256, aud an array holding ossign', 'rsa', 'bearer',
	    await sign(rsa.privateKey, 'RS256', rsaClaims({ aud: ['other', AUD] })), 200, 'alice');
	add('ES256, JWKS kid k1, email claim', 'jwks', 'bearer',
	    await sign(k1.privateKey, 'ES256', claims({ email: 'alice@example.com' }), { kid: 'k1' }), 200,
	    'alice@example.com');
	add('ES256, JWKS kid k2 (rotated in)', 'jwks', 'bearer',
	    await sign(k2.privateKey, 'ES256', claims({ email: 'bob@example.com' }), { kid: 'k2' }), 200,
	    'bob@example.com');
	add('EdDSA, JWKS kid d1', 'jwks', 'bearer',
	    await sign(ed.privateKey, 'EdDSA', claims({ email: 'carol@example.com' }), { kid: 'd1' }), 200,
	    'carol@example.com');
	add('the jwt_cookie cookie', 'jwks', 'cookie',
	    await sign(k1.privateKey, 'ES256', claims({ email: 'dave@example.com' }), { kid: 'k1' }), 200,
	    'dave@example.com');
	add('HS256, secret file, kid h1', 'hs', 'bearer', await sign(hs, 'HS256', claims(), { kid: 'h1' }), 200, 'alice');
	add('HS256 without a kid', 'hs', 'bearer', await sign(hs, 'HS256', claims({ sub: 'erin' })), 200, 'erin');
	add('nbf 200 s ahead, inside a leeway of 300', 'rsa', 'bearer',
	    await sign(rsa.privateKey, 'RS256', rsaClaims({ nbf: NOW + 200 })), 200, 'alice');

	// Every refusal the issue lists, and a few more.
	add('no token', 'rsa', 'none', '-', 401);
	add('alg none', 'rsa', 'bearer', new jose.UnsecuredJWT(rsaClaims()).encode(), 401);
	add('alg none, through the hs section', 'hs', 'bearer',
	    b64u('{"alg":"none"}') + '.' + b64u(JSON.stringify(claims())) + '.', 401);
	add('the RS256 public key used as an HS256 secret', 'rsa', 'bearer',
	    await sign(new TextEncoder().encode(rsaPem), 'HS256', rsaClaims()), 401);
	add('an RS256 token for the HS256 section', 'hs', 'bearer',
	    await sign(rsa.privateKey, 'RS256', claims()), 401);
	add('an ES256 token for the RSA section', 'rsa', 'bearer',
	    await sign(k1.privateKey, 'ES256', rsaClaims()), 401);
	add('exp missing', 'rsa', 'bearer', await sign(rsa.privateKey, 'RS256', rsaClaims({ exp: undefined })), 401);
	add('exp past a leeway of 300', 'rsa', 'bearer',
	    await sign(rsa.privateKey, 'RS256', rsaClaims({ exp: NOW - 400 })), 401);
	add('exp past the default leeway (60)', 'hs', 'bearer', await sign(hs, 'HS256', claims({ exp: NOW - 90 })), 401);
	add('nbf beyond the leeway', 'rsa', 'bearer',
	    await sign(rsa.privateKey, 'RS256', rsaClaims({ nbf: NOW + 900 })), 401);
	add('iat beyond the leeway', 'rsa', 'bearer',
	    await sign(rsa.privateKey, 'RS256', rsaClaims({ iat: NOW + 900 })), 401);
	add('nbf beyond the default leeway', 'hs', 'bearer', await sign(hs, 'HS256', claims({ nbf: NOW + 300 })), 401);
	add('iat beyond the default leeway', 'hs', 'bearer', await sign(hs, 'HS256', claims({ iat: NOW + 300 })), 401);
	add('wrong iss', 'rsa', 'bearer', await sign(rsa.privateKey, 'RS256', rsaClaims({ iss: ISS + '.evil' })), 401);
	add('iss missing', 'rsa', 'bearer', await sign(rsa.privateKey, 'RS256', rsaClaims({ iss: undefined })), 401);
	add('wrong aud', 'rsa', 'bearer', await sign(rsa.privateKey, 'RS256', rsaClaims({ aud: 'ossign2' })), 401);
	add('aud when none is configured', 'hs', 'bearer', await sign(hs, 'HS256', claims({ aud: AUD })), 401);
	add('token over 8 KiB', 'rsa', 'bearer',
	    await sign(rsa.privateKey, 'RS256', rsaClaims({ pad: 'x'.repeat(6200) })), 401);
	{
		const t = await sign(rsa.privateKey, 'RS256', rsaClaims());
		const [h, p, s] = t.split('.');
		add('bad base64url ("+" in the payload)', 'rsa', 'bearer', h + '.' + p.slice(0, 4) + '+' + p.slice(5) + '.' + s, 401);
		add('bad base64url (padding)', 'rsa', 'bearer', t + '=', 401);
		add('tampered payload (sub mallory)', 'rsa', 'bearer',
		    h + '.' + b64u(JSON.stringify(rsaClaims({ sub: 'mallory' }))) + '.' + s, 401);
		add('two parts', 'rsa', 'bearer', h + '.' + p, 401);
	}
	add('header not JSON', 'hs', 'bearer', rawHs('{alg:"HS256"}', claims()), 401);
	add('payload not JSON', 'hs', 'bearer', rawHs({ alg: 'HS256' }, '{"sub":"alice",'), 401);
	add('claim sub twice', 'hs', 'bearer', rawHs({ alg: 'HS256' }, `{"sub":"alice","sub":"root","exp":${NOW + 600}}`), 401);
	add('a sub that cannot be ${user}', 'hs', 'bearer', await sign(hs, 'HS256', claims({ sub: 'bob/../alice' })), 401);
	add('unknown kid in the JWKS', 'jwks', 'bearer',
	    await sign(k3.privateKey, 'ES256', claims({ email: 'eve@example.com' }), { kid: 'k3' }), 401);
	add('kid k1 signed by another key', 'jwks', 'bearer',
	    await sign(k3.privateKey, 'ES256', claims({ email: 'eve@example.com' }), { kid: 'k1' }), 401);
	add('another HS256 secret', 'hs', 'bearer',
	    await sign(crypto.randomBytes(32), 'HS256', claims()), 401);
	add('Basic credentials', 'hs', 'header', 'Basic ' + b64u('alice:password'), 401);
	add('a token in a cookie where none is configured', 'hs', 'cookie',
	    await sign(hs, 'HS256', claims()), 401);

	fs.writeFileSync(path.join(dir, 'cases.tsv'), rows.join('\n') + '\n', { mode: 0o600 });
	fs.writeFileSync(path.join(dir, 'secrets.txt'), secrets.join('\n') + '\n', { mode: 0o600 });
	console.log(`jwt-requests: ${rows.length} requests in ${dir}`);
}

main().catch((e) => {
	console.error('jwt-requests:', e);
	process.exit(1);
});
