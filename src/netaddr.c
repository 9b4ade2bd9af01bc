/* Client addresses and address lists; see netaddr.h. */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "util.h"

const struct netaddr netaddr_loopback[2] = {
	{ 4, { 127 }, 8 },
	{ 6, { [15] = 1 }, 128 },
};

/* addr (4 or 16 bytes) into out, family from its length. */
static int
netaddr_read(const char *s, struct netaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->addr) == 1) {
		out->family = 4;
		out->prefix = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->addr) == 1) {
		out->family = 6;
		out->prefix = 128;
		return 0;
	}
	return -1;
}

/* 1 when the first bits bits of a and b agree. */
static int
netaddr_bits_equal(const unsigned char *a, const unsigned char *b,
    unsigned int bits)
{
	unsigned int whole = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[whole] & mask) == (b[whole] & mask);
}

int
netaddr_parse(const char *s, struct netaddr *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/'), *p;
	long long prefix, max, i;
	size_t len;

	len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (netaddr_read(buf, out) == -1)
		return -1;
	if (slash == NULL)
		return 0;
	max = out->family == 4 ? 32 : 128;
	p = slash + 1;
	/* Digits only (no sign, no space), no leading zero but "0". */
	if (strspn(p, "0123456789") != strlen(p) || (p[0] == '0' &&
	    p[1] != '\0') || util_strtonum(p, 0, max, &prefix, NULL) == -1)
		return -1;
	/* No host bits below the prefix. */
	for (i = prefix; i < max; i++)
		if (out->addr[i / 8] & (0x80 >> (i % 8)))
			return -1;
	out->prefix = (unsigned int)prefix;
	return 0;
}

int
netaddr_match(const struct netaddr *set, size_t n, const char *addr)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	char buf[INET6_ADDRSTRLEN + 1];
	struct netaddr a;
	size_t i, len;

	if (addr == NULL)
		return 0;
	len = strcspn(addr, "%");
	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, addr, len);
	buf[len] = '\0';
	if (netaddr_read(buf, &a) == -1)
		return 0;
	if (a.family == 6 && memcmp(a.addr, mapped, sizeof(mapped)) == 0) {
		memmove(a.addr, a.addr + 12, 4);
		memset(a.addr + 4, 0, 12);
		a.family = 4;
		a.prefix = 32;
	}
	for (i = 0; i < n; i++)
		if (set[i].family == a.family &&
		    netaddr_bits_equal(set[i].addr, a.addr, set[i].prefix))
			return 1;
	return 0;
}
