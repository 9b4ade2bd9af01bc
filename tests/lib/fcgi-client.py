#!/usr/bin/env python3
"""tests/lib/fcgi-client.py: a FastCGI client that keeps its connection, as
nginx does with "fastcgi_keep_conn on" and upstream keepalive: every request
carries FCGI_KEEP_CONN, and all go over one connection, one after another,
with request id 1 each time (as nginx numbers them).

    fcgi-client.py SOCKET BODY_BYTES [BODY_BYTES...]

One request per BODY_BYTES: a GET signing ok.png, with that many body bytes
announced in CONTENT_LENGTH and sent in FCGI_STDIN records of up to 32 KiB
plus padding, like nginx's.  For each request one line:
    N STATUS CODE       the answer (CODE: the JSON error code, or "ok")
    N closed            the application closed the connection after the
                        previous answer, before this request was sent
    N broken WHAT       no complete answer (WHAT: eof, reset, timeout...)
The body is written by a thread, so an application that stops reading
cannot block the client before it reads the answer.  Exits 0.
"""
import json
import select
import socket
import struct
import sys
import threading

BEGIN, END, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7
KEEP_CONN = 1
GOOD = 'filename=ok.png&content_type=image/png&size=1'


def record(rtype, content, rid=1):
    pad = (8 - len(content) % 8) % 8
    return struct.pack('>BBHHBB', 1, rtype, rid, len(content), pad, 0) + \
        content + b'\0' * pad


def nv(name, value):
    out = b''
    for s in (name, value):
        out += bytes([len(s)]) if len(s) < 128 else \
            struct.pack('>I', len(s) | 0x80000000)
    return out + name + value


def request(nbody):
    params = {'REQUEST_METHOD': 'GET', 'QUERY_STRING': GOOD,
              'GATEWAY_INTERFACE': 'CGI/1.1', 'SCRIPT_NAME': '/sign',
              'REQUEST_URI': '/sign?' + GOOD, 'CONTENT_LENGTH': str(nbody)}
    head = record(BEGIN, struct.pack('>HB5x', 1, KEEP_CONN))
    p = b''.join(nv(k.encode(), v.encode()) for k, v in params.items())
    head += record(PARAMS, p) + record(PARAMS, b'')
    body = b''
    left = nbody
    while left > 0:
        n = min(left, 32768)
        body += record(STDIN, b'b' * n)
        left -= n
    return head, body + record(STDIN, b'')


def read_answer(sock, timeout=10.0):
    """STDOUT bytes until FCGI_END_REQUEST, or ('broken', why)."""
    buf, out = b'', b''
    while True:
        while len(buf) >= 8:
            _, rtype, _, clen, pad, _ = struct.unpack('>BBHHBB', buf[:8])
            if len(buf) < 8 + clen + pad:
                break
            content = buf[8:8 + clen]
            buf = buf[8 + clen + pad:]
            if rtype == STDOUT:
                out += content
            elif rtype == END:
                return out, buf
        r, _, _ = select.select([sock], [], [], timeout)
        if not r:
            return ('broken', 'timeout'), b''
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return ('broken', 'reset'), b''
        if not chunk:
            return ('broken', 'eof'), b''
        buf += chunk


def describe(out):
    head, _, body = out.partition(b'\r\n\r\n')
    status = '?'
    for line in head.split(b'\r\n'):
        if line.lower().startswith(b'status:'):
            status = line.split()[1].decode()
    try:
        j = json.loads(body)
        code = j['error']['code'] if 'error' in j else 'ok'
    except (ValueError, KeyError, TypeError):
        code = 'not-json'
    return '%s %s' % (status, code)


def closed_by_peer(sock):
    """True when the peer has closed (EOF waiting), without consuming data."""
    r, _, _ = select.select([sock], [], [], 0.5)
    if not r:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b''
    except ConnectionResetError:
        return True


def main():
    path, sizes = sys.argv[1], [int(x) for x in sys.argv[2:]]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    for i, n in enumerate(sizes, 1):
        if i > 1 and closed_by_peer(sock):
            print('%d closed' % i)
            return
        head, body = request(n)
        try:
            sock.sendall(head)
        except (BrokenPipeError, ConnectionResetError):
            print('%d broken send' % i)
            return
        writer = threading.Thread(target=lambda: _send(sock, body))
        writer.start()
        out, rest = read_answer(sock)
        writer.join(10)
        if isinstance(out, tuple):
            print('%d broken %s' % (i, out[1]))
            return
        print('%d %s' % (i, describe(out)))
        sys.stdout.flush()


def _send(sock, data):
    try:
        sock.sendall(data)
    except OSError:
        pass


main()
