/* Client addresses; see netaddr.h. */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "util.h"

/* The longest address text inet_pton takes, and a zone. */
#define NETADDR_TEXT	64

static const unsigned char netaddr_v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

int
netaddr_parse(const char *s, size_t len, struct netaddr *out)
{
	char buf[NETADDR_TEXT];
	const char *pct;
	struct netaddr a;

	if ((pct = memchr(s, '%', len)) != NULL) {
		/* A zone names the link, not the host: drop it. */
		if (memchr(s, ':', (size_t)(pct - s)) == NULL || pct + 1 ==
		    s + len)
			return -1;
		len = (size_t)(pct - s);
	}
	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, buf, a.a) == 1)
		a.v6 = 0;
	else if (inet_pton(AF_INET6, buf, a.a) == 1) {
		a.v6 = 1;
		if (memcmp(a.a, netaddr_v4mapped, sizeof(netaddr_v4mapped)) ==
		    0) {
			memmove(a.a, a.a + 12, 4);
			memset(a.a + 4, 0, 12);
			a.v6 = 0;
		}
	} else
		return -1;
	*out = a;
	return 0;
}

/* 1 when a's first bits bits equal net's. */
static int
netaddr_prefix_eq(const unsigned char *a, const unsigned char *net,
    unsigned int bits)
{
	unsigned int whole = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, net, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[whole] & mask) == (net[whole] & mask);
}

int
netaddr_cidr_parse(const char *s, struct netaddr_cidr *out, char *why,
    size_t whylen)
{
	struct netaddr_cidr c;
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	long long bits;
	unsigned int max, i;
	int mapped;

	memset(&c, 0, sizeof(c));
	if (netaddr_parse(s, alen, &c.net) == -1 || memchr(s, '%', alen)) {
		snprintf(why, whylen, "%s is not an IPv4 or IPv6 address or "
		    "range (ADDRESS or ADDRESS/BITS)", s);
		return -1;
	}
	mapped = !c.net.v6 && memchr(s, ':', alen) != NULL;
	max = c.net.v6 || mapped ? 128 : 32;
	c.bits = max;
	if (slash != NULL) {
		/* No sign, no leading zero: "/08" is a typo, not 8. */
		if (slash[1] < '0' || slash[1] > '9' || (slash[1] == '0' &&
		    slash[2] != '\0') ||
		    util_strtonum(slash + 1, 0, max, &bits, NULL) == -1) {
			snprintf(why, whylen, "%s: the prefix length must be "
			    "0 to %u", s, max);
			return -1;
		}
		c.bits = (unsigned int)bits;
		/* A mapped IPv4 range counts its bits in IPv4 terms. */
		if (mapped) {
			if (c.bits < 96) {
				snprintf(why, whylen, "%s: an IPv4-mapped "
				    "range needs a prefix of 96 bits or "
				    "more", s);
				return -1;
			}
			c.bits -= 96;
		}
	}
	if (mapped && slash == NULL)
		c.bits = 32;
	/* Every bit past the prefix must be zero: the network address. */
	for (i = c.bits; i < (c.net.v6 ? 128u : 32u); i++)
		if (c.net.a[i / 8] & (0x80 >> (i % 8))) {
			snprintf(why, whylen, "%s: bits are set past the "
			    "/%u prefix (write the network address)", s,
			    c.bits);
			return -1;
		}
	*out = c;
	return 0;
}

int
netaddr_in(const struct netaddr *a, const struct netaddr_cidr *list,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i].net.v6 == a->v6 &&
		    netaddr_prefix_eq(a->a, list[i].net.a, list[i].bits))
			return 1;
	return 0;
}

/* One X-Forwarded-For entry (blanks around it trimmed by the caller). */
static int
netaddr_hop(const char *s, size_t len, struct netaddr *out)
{
	const char *end, *colon;

	if (len > 0 && s[0] == '[') {
		/* "[v6]" or "[v6]:port" */
		if ((end = memchr(s, ']', len)) == NULL)
			return -1;
		if (end + 1 != s + len && (end[1] != ':' || end + 2 ==
		    s + len || strspn(end + 2, "0123456789") < (size_t)(s +
		    len - end - 2)))
			return -1;
		return netaddr_parse(s + 1, (size_t)(end - s - 1), out) ==
		    0 && out->v6 ? 0 : -1;
	}
	/* "v4:port": one colon only (more is IPv6). */
	if ((colon = memchr(s, ':', len)) != NULL &&
	    memchr(colon + 1, ':', (size_t)(s + len - colon - 1)) == NULL) {
		if (colon + 1 == s + len || strspn(colon + 1, "0123456789") <
		    (size_t)(s + len - colon - 1))
			return -1;
		return netaddr_parse(s, (size_t)(colon - s), out) == 0 &&
		    !out->v6 ? 0 : -1;
	}
	return netaddr_parse(s, len, out);
}

int
netaddr_client(const char *remote_addr, const char *xff,
    const struct netaddr_cidr *trusted, size_t ntrusted, struct netaddr *out)
{
	struct netaddr a, hop;
	const char *end, *start, *s, *e;

	if (remote_addr == NULL ||
	    netaddr_parse(remote_addr, strlen(remote_addr), &a) == -1)
		return -1;
	if (xff == NULL || ntrusted == 0 || !netaddr_in(&a, trusted, ntrusted)) {
		*out = a;
		return 0;
	}
	/* From the right: each hop was appended by the one after it. */
	end = xff + strlen(xff);
	while (netaddr_in(&a, trusted, ntrusted) && end > xff) {
		start = end;
		while (start > xff && start[-1] != ',')
			start--;
		for (s = start; s < end && (*s == ' ' || *s == '\t'); s++)
			;
		for (e = end; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		if (netaddr_hop(s, (size_t)(e - s), &hop) == -1)
			break;
		a = hop;
		end = start > xff ? start - 1 : xff;
		if (start == xff)
			break;
	}
	*out = a;
	return 0;
}

void
netaddr_key(const struct netaddr *a, char *buf)
{
	unsigned char net[16];
	char text[INET6_ADDRSTRLEN];

	if (!a->v6) {
		if (inet_ntop(AF_INET, a->a, text, sizeof(text)) == NULL)
			snprintf(text, sizeof(text), "?");
		snprintf(buf, NETADDR_KEY_LEN, "a:%s", text);
		return;
	}
	memcpy(net, a->a, 8);
	memset(net + 8, 0, 8);
	if (inet_ntop(AF_INET6, net, text, sizeof(text)) == NULL)
		snprintf(text, sizeof(text), "?");
	snprintf(buf, NETADDR_KEY_LEN, "a:%s/64", text);
}
