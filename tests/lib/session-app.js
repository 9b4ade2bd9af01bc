#!/usr/bin/env node
// tests/lib/session-app.js: a small stand-in for a site's own application,
// whose login lives in a session cookie, for the auth_request recipes of
// deploy/ (tests/auth-request.sh).  Listens on 127.0.0.1 only:
//   HTTP (--port, 0: a free one):
//     POST /login   body "user=NAME": a new session, Set-Cookie: sid=...
//                   (HttpOnly, SameSite=Lax), 204
//     POST /logout  the session of the cookie ends, 204
//     GET  /auth    what nginx's auth_request asks: 204 and "X-User: NAME"
//                   for the session of the request's sid cookie, else 401.
//                   It reads the cookie and nothing else: an X-User header
//                   the client made up is never looked at.
//   FastCGI (--fcgi-port, 0: a free one; -1: none): the same check as a
//     FastCGI AUTHORIZER (Apache's mod_authnz_fcgi): 200 with
//     "Variable-OSSIGN_USER: NAME" for a session cookie (HTTP_COOKIE),
//     else 401.
// Prints "listening HTTP_PORT FCGI_PORT" once both listen.  GET /_stats
// answers {"auth":N,"fcgi":N} (checks asked), for the test.
'use strict';

const crypto = require('node:crypto');
const http = require('node:http');
const net = require('node:net');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
	const i = args.indexOf(name);
	return i >= 0 ? Number(args[i + 1]) : dflt;
};
const sessions = new Map();	// sid -> user
const stats = { auth: 0, fcgi: 0 };

// The user of a Cookie header's sid, or null.
function userOf(cookie) {
	if (typeof cookie !== 'string')
		return null;
	for (const part of cookie.split(';')) {
		const [k, ...v] = part.trim().split('=');
		if (k === 'sid' && sessions.has(v.join('=')))
			return sessions.get(v.join('='));
	}
	return null;
}

const server = http.createServer((req, res) => {
	const url = new URL(req.url, 'http://x');
	let body = '';
	req.on('data', (d) => { body += d; if (body.length > 4096) req.destroy(); });
	req.on('end', () => {
		if (req.method === 'POST' && url.pathname === '/login') {
			const user = new URLSearchParams(body).get('user');
			if (!user || !/^[A-Za-z0-9._@-]{1,64}$/.test(user)) {
				res.writeHead(400).end();
				return;
			}
			const sid = crypto.randomBytes(24).toString('base64url');
			sessions.set(sid, user);
			res.writeHead(204, { 'Set-Cookie': `sid=${sid}; Path=/; HttpOnly; SameSite=Lax` }).end();
		} else if (req.method === 'POST' && url.pathname === '/logout') {
			for (const part of (req.headers.cookie || '').split(';')) {
				const [k, ...v] = part.trim().split('=');
				if (k === 'sid')
					sessions.delete(v.join('='));
			}
			res.writeHead(204).end();
		} else if (url.pathname === '/auth') {
			stats.auth++;
			const user = userOf(req.headers.cookie);
			if (user)
				res.writeHead(204, { 'X-User': user }).end();
			else
				res.writeHead(401, { 'WWW-Authenticate': 'Session realm="example"' }).end();
		} else if (url.pathname === '/_stats') {
			res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stats));
		} else
			res.writeHead(404).end();
	});
});

// ---- a FastCGI AUTHORIZER (FastCGI 1.0: records, name-value pairs) ----
const FCGI = { BEGIN: 1, END: 3, PARAMS: 4, STDIN: 5, STDOUT: 6 };

function record(type, id, content) {
	const pad = (8 - (content.length % 8)) % 8;
	const h = Buffer.alloc(8);
	h.writeUInt8(1, 0);
	h.writeUInt8(type, 1);
	h.writeUInt16BE(id, 2);
	h.writeUInt16BE(content.length, 4);
	h.writeUInt8(pad, 6);
	return Buffer.concat([h, content, Buffer.alloc(pad)]);
}

function pairs(buf) {
	const out = {};
	let i = 0;
	const len = () => {
		const b = buf[i];
		if (b < 128) {
			i += 1;
			return b;
		}
		const n = buf.readUInt32BE(i) & 0x7fffffff;
		i += 4;
		return n;
	};
	while (i < buf.length) {
		const nl = len(), vl = len();
		out[buf.toString('latin1', i, i + nl)] = buf.toString('latin1', i + nl, i + nl + vl);
		i += nl + vl;
	}
	return out;
}

const fcgiServer = net.createServer((sock) => {
	let acc = Buffer.alloc(0);
	const reqs = new Map();		// id -> { params: [Buffer] }
	sock.on('data', (d) => {
		acc = Buffer.concat([acc, d]);
		while (acc.length >= 8) {
			const type = acc[1], id = acc.readUInt16BE(2);
			const clen = acc.readUInt16BE(4), plen = acc[6];
			if (acc.length < 8 + clen + plen)
				break;
			const content = acc.subarray(8, 8 + clen);
			acc = acc.subarray(8 + clen + plen);
			if (type === FCGI.BEGIN)
				reqs.set(id, { params: [], answered: false, role: content.readUInt16BE(0) });
			else if (type === FCGI.PARAMS && reqs.has(id)) {
				const r = reqs.get(id);
				if (clen > 0) {
					r.params.push(Buffer.from(content));
					continue;
				}
				// The end of the parameters: an authorizer gets no body.
				stats.fcgi++;
				const env = pairs(Buffer.concat(r.params));
				const user = r.role === 2 ? userOf(env.HTTP_COOKIE) : null;
				const head = user ? `Status: 200\r\nVariable-OSSIGN_USER: ${user}\r\n\r\n`
				    : 'Status: 401\r\nContent-Type: text/plain\r\n\r\nlog in first\n';
				const end = Buffer.alloc(8);	// appStatus 0, REQUEST_COMPLETE
				sock.write(Buffer.concat([record(FCGI.STDOUT, id, Buffer.from(head)),
				    record(FCGI.STDOUT, id, Buffer.alloc(0)), record(FCGI.END, id, end)]));
				reqs.delete(id);
			}
			// STDIN and anything else: nothing to do.
		}
	});
	sock.on('error', () => {});
});

server.listen(opt('--port', 0), '127.0.0.1', () => {
	const fport = opt('--fcgi-port', 0);
	const ready = (fp) => console.log(`listening ${server.address().port} ${fp}`);
	if (fport < 0)
		ready(-1);
	else
		fcgiServer.listen(fport, '127.0.0.1', () => ready(fcgiServer.address().port));
});
