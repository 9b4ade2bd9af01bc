/*
 * cgi_floor: the exec floor for tests/bench/run.  A CGI program that writes
 * one fixed JSON answer and exits: what a web server pays to fork and exec
 * any CGI program.  Built twice from this file:
 *   cgi_floor         linked to libc only;
 *   cgi_floor_linked  linked (--no-as-needed) to everything ossign links:
 *                     json-c, libcurl, libcrypto, libfcgi and their own
 *                     dependencies, so the dynamic loader does the same
 *                     mapping and relocation work it does for ossign.
 * The difference between the two is the loader's cost of those libraries.
 */
#include <string.h>
#include <unistd.h>

#define BODY \
    "{\"policy\":\"eyJleHBpcmF0aW9uIjoiMjAyNi0xMS0yNVQwNjoxOTo0MS4wMDBaIn0=\"," \
    "\"x_oss_signature_version\":\"OSS4-HMAC-SHA256\",\"signature\":" \
    "\"0000000000000000000000000000000000000000000000000000000000000000\"}"

static const char head[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: ";
static const char rest[] =
    "\r\n"
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "\r\n"
    BODY;

int
main(void)
{
	char out[sizeof(head) + 20 + sizeof(rest)], num[20], *p;
	size_t len = sizeof(BODY) - 1, left, i = sizeof(num);
	ssize_t n;

	/* Content-Length like ossign's, without stdio. */
	do
		num[--i] = (char)('0' + len % 10);
	while ((len /= 10) > 0);
	p = out;
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	memcpy(p, num + i, sizeof(num) - i);
	p += sizeof(num) - i;
	memcpy(p, rest, sizeof(rest) - 1);
	p += sizeof(rest) - 1;

	left = (size_t)(p - out);
	for (p = out; left > 0 && (n = write(1, p, left)) > 0; p += n)
		left -= (size_t)n;
	return left == 0 ? 0 : 1;
}
